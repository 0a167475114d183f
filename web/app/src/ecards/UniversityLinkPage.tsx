import { Button, Form, Input, List, NoticeBar, Result, Skeleton, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { CardFace } from '../cards/CardFace.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { useHolder, type Holder } from './HolderChoice.js';
import { ecardMessages } from './messages.js';
import { ecardPaths } from './paths.js';
import { PhoneCheck } from './PhoneCheck.js';
import { useInvalidateCards, usePartnerSchools, useUniversityEligibility, type EcardResult, type LinkUniversityBody, type Phone } from './queries.js';
import './ecards.css';

/** The card number as printed, in groups ("3104 1234 5678 9012 345"): its digits. */
const cardDigits = (typed: string | undefined) => (typed ?? '').replace(/\s/g, '');

/** The school to start with: the only one, or the holder's own (a partner school). */
function preselectedSchool(schools: readonly { id: string; name: string }[], holder: Holder): string | undefined {
  if (schools.length === 1) return schools[0]!.id;
  return (schools.find((s) => s.id === holder.schoolId) ?? schools.find((s) => s.name === holder.schoolName))?.id;
}

interface Details {
  /** A Selector's value: one school id. */
  schoolId: string[];
  interopCardNo: string;
  name: string;
  studentNo: string;
  idNumber: string;
}

/** 添加高校电子学生卡 (seed 002): eligibility, phone check, then the interoperable card and real-name. */
export function UniversityLinkPage() {
  const t = useMessages(ecardMessages);
  const { lang } = useLang();
  const navigate = useNavigate();
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidateCards();
  const { holder, view } = useHolder();
  const eligibility = useUniversityEligibility(holder?.studentId ?? null);
  const schools = usePartnerSchools();
  const [phone, setPhone] = useState<Phone | null>(null);
  const [form] = Form.useForm<Details>();
  const link = useIdempotentMutation({
    mutationFn: (body: LinkUniversityBody, idempotencyKey) => api.post<EcardResult>('/ecards/university', body, { idempotencyKey }),
    onSuccess: () => void invalidate(),
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });

  let body;
  if (!holder) body = view;
  else if (link.data) {
    body = (
      <div data-testid="link-result">
        <Result status="success" title={t.linked} description={fill(t.linkedHint, { date: link.data.card.validUntil ?? '' })} />
        <CardFace card={link.data.card} />
        <Button block color="primary" size="large" onClick={() => navigate(ecardPaths.home)}>{t.toMyEcards}</Button>
      </div>
    );
  } else if (eligibility.isPending || schools.isPending) body = <Skeleton.Paragraph lineCount={6} animated />;
  else if (eligibility.isError) body = <LoadFailed error={eligibility.error} onRetry={() => void eligibility.refetch()} />;
  else if (schools.isError) body = <LoadFailed error={schools.error} onRetry={() => void schools.refetch()} />;
  else if (!eligibility.data.eligible) {
    body = (
      <List header={t.ineligible} data-testid="university-ineligible">
        {eligibility.data.problems.map((p) => <List.Item key={p.reason} data-reason={p.reason}>{lang === 'en' ? p.en : p.zh}</List.Item>)}
      </List>
    );
  } else if (!phone) {
    body = (
      <>
        <NoticeBar content={`${t.eligible} · ${fill(t.validUntilIfOpened, { date: eligibility.data.validUntilIfOpenedToday })}`} color="info" wrap />
        <PhoneCheck actionLabel={t.next} onPassed={setPhone} />
      </>
    );
  } else {
    const school = preselectedSchool(schools.data, holder);
    body = (
      <Form
        form={form}
        layout="horizontal"
        initialValues={{ schoolId: school ? [school] : [] }}
        onFinish={(v) => link.mutate({ studentId: holder.studentId, phone, schoolId: v.schoolId[0] ?? '', interopCardNo: cardDigits(v.interopCardNo), name: v.name.trim(), studentNo: v.studentNo.trim(), idNumber: v.idNumber.trim() })}
        footer={
          <div className="ecard-actions">
            <Button block type="submit" color="primary" size="large" loading={link.isPending} data-testid="link-submit">{t.linkNow}</Button>
            <Button block onClick={() => setPhone(null)}>{t.back}</Button>
          </div>
        }
      >
        <Form.Header>{t.interopHint}</Form.Header>
        <Form.Item name="interopCardNo" label={t.interopCardNo} rules={[
          { required: true, message: t.interopCardNoPlaceholder },
          // Typed as printed, in groups: the spaces are not part of the number.
          { validator: async (_rule, value?: string) => { if (value && !/^31\d{17}$/.test(cardDigits(value))) throw new Error(t.interopCardNoInvalid); } },
        ]}>
          <Input placeholder={t.interopCardNoPlaceholder} inputMode="numeric" maxLength={24} data-testid="link-interop" />
        </Form.Item>
        <Form.Item name="schoolId" label={t.school} rules={[{ required: true, message: t.chooseSchool }]}>
          <SingleSelector columns={1} options={schools.data.map((s) => ({ value: s.id, label: s.name }))} data-testid="link-school" />
        </Form.Item>
        <Form.Item name="name" label={t.name} rules={[{ required: true, message: t.namePlaceholder }]}>
          <Input placeholder={t.namePlaceholder} data-testid="link-name" />
        </Form.Item>
        <Form.Item name="studentNo" label={t.studentNo} rules={[{ required: true, message: t.studentNoPlaceholder }]}>
          <Input placeholder={t.studentNoPlaceholder} data-testid="link-student-no" />
        </Form.Item>
        <Form.Item name="idNumber" label={t.idNumber} rules={[{ required: true, message: t.idNumberPlaceholder }, { pattern: /^\d{17}[\dXx]$/, message: t.idNumberInvalid }]}>
          <Input placeholder={t.idNumberPlaceholder} maxLength={18} data-testid="link-id-number" />
        </Form.Item>
      </Form>
    );
  }
  return <SubPage title={t.linkUniversity} backTo={ecardPaths.home}>{holder && view}{body}</SubPage>;
}
