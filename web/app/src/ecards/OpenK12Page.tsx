import { Button, Checkbox, Form, Input, List, Result, Skeleton, Steps, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { useConsents, useInvalidate } from '../account/queries.js';
import { CardFace } from '../cards/CardFace.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, useErrorText } from '../ui/text.js';
import { useHolder, type Holder } from './HolderChoice.js';
import { ecardMessages } from './messages.js';
import { ecardPaths } from './paths.js';
import { PhoneCheck } from './PhoneCheck.js';
import { SchoolStep } from './SchoolStep.js';
import { useAgreement, useInvalidateCards, type EcardResult, type OpenK12Body, type Phone, type SchoolOption } from './queries.js';
import './ecards.css';

const steps = ['phone', 'school', 'realName', 'consent', 'agreement', 'result'] as const;
type Step = (typeof steps)[number];

/** Where a refusal sends the user back to. */
const stepOfError: Record<string, Step> = {
  ECARD_PHONE_INELIGIBLE: 'phone',
  ECARD_SCHOOL_NOT_K12: 'school',
  ECARD_REAL_NAME_FAILED: 'realName',
  AUTH_THROTTLED: 'realName',
  ECARD_CONSENT_REQUIRED: 'consent',
  ECARD_AGREEMENT_REQUIRED: 'agreement',
};

interface RealName {
  name: string;
  idNumber: string;
  educationId: string;
}

/**
 * 开通中小学电子学生卡: phone check (with every reason a phone fails), school, real-name, guardian
 * consent for under-14s, the user agreement, then the result (the physical card is superseded).
 */
export function OpenK12Page() {
  const t = useMessages(ecardMessages);
  const [step, setStep] = useState<Step>('phone');
  const { holder, isParent, view } = useHolder(step !== 'phone');
  const [phone, setPhone] = useState<Phone | null>(null);
  const [school, setSchool] = useState<SchoolOption | null>(null);
  const [realName, setRealName] = useState<RealName | null>(null);
  const [result, setResult] = useState<EcardResult | null>(null);

  return (
    <SubPage title={t.openK12} backTo={ecardPaths.home}>
      {view}
      {holder && (
        <>
          <Steps current={steps.indexOf(step)} className="ecard-steps" data-testid="open-steps" data-step={step}>
            {steps.map((s) => <Steps.Step key={s} title={t[`step_${s}`]} />)}
          </Steps>
          {step === 'phone' && <PhoneCheck actionLabel={t.next} onPassed={(p) => { setPhone(p); setStep('school'); }} />}
          {step === 'school' && <SchoolStep onChosen={(s) => { setSchool(s); setStep('realName'); }} onBack={() => setStep('phone')} />}
          {step === 'realName' && <RealNameStep initial={realName} onDone={(r) => { setRealName(r); setStep('consent'); }} onBack={() => setStep('school')} />}
          {step === 'consent' && <ConsentStep studentId={holder.studentId} isParent={isParent} onDone={() => setStep('agreement')} onBack={() => setStep('realName')} />}
          {step === 'agreement' && phone && school && realName && (
            <AgreementStep holder={holder} phone={phone} school={school} realName={realName} onOpened={(r) => { setResult(r); setStep('result'); }} onRefused={setStep} onBack={() => setStep('consent')} />
          )}
          {step === 'result' && result && <OpenedResult result={result} />}
        </>
      )}
    </SubPage>
  );
}

function RealNameStep({ initial, onDone, onBack }: { initial: RealName | null; onDone(r: RealName): void; onBack(): void }) {
  const t = useMessages(ecardMessages);
  const [form] = Form.useForm<RealName>();
  return (
    <Form
      form={form}
      initialValues={initial ?? undefined}
      layout="horizontal"
      onFinish={(v) => onDone({ name: v.name.trim(), idNumber: v.idNumber.trim(), educationId: v.educationId.trim() })}
      footer={
        <div className="ecard-actions">
          <Button block type="submit" color="primary" size="large" data-testid="realname-next">{t.next}</Button>
          <Button block onClick={onBack}>{t.back}</Button>
        </div>
      }
    >
      <Form.Header>{t.realNameHint}</Form.Header>
      <Form.Item name="name" label={t.name} rules={[{ required: true, message: t.namePlaceholder }]}>
        <Input placeholder={t.namePlaceholder} data-testid="realname-name" />
      </Form.Item>
      <Form.Item name="idNumber" label={t.idNumber} rules={[{ required: true, message: t.idNumberPlaceholder }, { pattern: /^\d{17}[\dXx]$/, message: t.idNumberInvalid }]}>
        <Input placeholder={t.idNumberPlaceholder} maxLength={18} data-testid="realname-id-number" />
      </Form.Item>
      <Form.Item name="educationId" label={t.educationId} rules={[{ required: true, message: t.educationIdPlaceholder }, { pattern: /^\d{8}$/, message: t.educationIdInvalid }]}>
        <Input placeholder={t.educationIdPlaceholder} inputMode="numeric" maxLength={8} data-testid="realname-education-id" />
      </Form.Item>
    </Form>
  );
}

function ConsentStep({ studentId, isParent, onDone, onBack }: { studentId: string; isParent: boolean; onDone(): void; onBack(): void }) {
  const t = useMessages(ecardMessages);
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidate();
  const consents = useConsents(studentId);
  const grant = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post(`/students/${studentId}/consents`, { purpose: 'nfc_ecard' }, { idempotencyKey }),
    onSuccess: () => invalidate('consents'),
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  if (consents.isPending) return <Skeleton.Paragraph lineCount={3} animated />;
  if (consents.isError) return <LoadFailed error={consents.error} onRetry={() => void consents.refetch()} />;
  const granted = consents.data.consents.some((c) => c.purpose === 'nfc_ecard' && c.revokedAt === null);
  const ok = !consents.data.needsGuardianConsent || granted;
  return (
    <>
      <List className="section" data-testid="consent-step" data-ok={String(ok)}>
        <List.Item>{!consents.data.needsGuardianConsent ? t.consentNotNeeded : granted ? t.consentGranted : t.consentNeeded}</List.Item>
        {!ok && !isParent && <List.Item><span className="muted">{t.consentAskParent}</span></List.Item>}
      </List>
      <div className="ecard-actions">
        {ok ? (
          <Button block color="primary" size="large" onClick={onDone} data-testid="consent-next">{t.next}</Button>
        ) : isParent ? (
          <Button block color="primary" size="large" loading={grant.isPending} onClick={() => grant.mutate()} data-testid="consent-give">{t.giveConsent}</Button>
        ) : (
          <Button block color="primary" size="large" onClick={() => void consents.refetch()} data-testid="consent-recheck">{t.consentCheck}</Button>
        )}
        <Button block onClick={onBack}>{t.back}</Button>
      </div>
    </>
  );
}

function AgreementStep(props: { holder: Holder; phone: Phone; school: SchoolOption; realName: RealName; onOpened(r: EcardResult): void; onRefused(step: Step): void; onBack(): void }) {
  const t = useMessages(ecardMessages);
  const { lang } = useLang();
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidateCards();
  const agreement = useAgreement();
  const [accepted, setAccepted] = useState(false);
  const open = useIdempotentMutation({
    mutationFn: (body: OpenK12Body, idempotencyKey) => api.post<EcardResult>('/ecards/k12', body, { idempotencyKey }),
    onSuccess: (result) => {
      void invalidate();
      props.onOpened(result);
    },
    onError: (error) => {
      Toast.show({ icon: 'fail', content: `${t.openFailed}：${describe(error)}` });
      const back = stepOfError[errorCode(error) ?? ''];
      if (back) props.onRefused(back);
    },
  });
  if (agreement.isPending) return <Skeleton.Paragraph lineCount={6} animated />;
  if (agreement.isError) return <LoadFailed error={agreement.error} onRetry={() => void agreement.refetch()} />;
  const a = agreement.data;
  const submit = () =>
    open.mutate({
      studentId: props.holder.studentId, schoolId: props.school.id, ...props.realName, phone: props.phone, agreementVersion: a.version, agreementAccepted: accepted,
    });
  return (
    <>
      <div className="ecard-agreement" data-testid="agreement">
        <h3>{lang === 'en' ? a.title.en : a.title.zh}</h3>
        <p>{lang === 'en' ? a.body.en : a.body.zh}</p>
      </div>
      <List className="section">
        <List.Item>
          <Checkbox checked={accepted} onChange={setAccepted} data-testid="agreement-accept">
            {t.agreementAccept}《{lang === 'en' ? a.title.en : a.title.zh}》
          </Checkbox>
        </List.Item>
      </List>
      <div className="ecard-actions">
        <Button block color="primary" size="large" disabled={!accepted || open.isPending} loading={open.isPending} onClick={submit} data-testid="open-submit">{t.openNow}</Button>
        <Button block onClick={props.onBack}>{t.back}</Button>
      </div>
    </>
  );
}

function OpenedResult({ result }: { result: EcardResult }) {
  const t = useMessages(ecardMessages);
  const navigate = useNavigate();
  return (
    <div data-testid="open-result">
      <Result status="success" title={t.opened} description={t.openedHint} />
      <CardFace card={result.card} />
      {result.previousCard && <p className="muted" data-testid="open-superseded">{t.supersededHint}</p>}
      <Button block color="primary" size="large" onClick={() => navigate(ecardPaths.home)} data-testid="open-done">{t.toMyEcards}</Button>
    </div>
  );
}
