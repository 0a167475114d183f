import { Button, ErrorBlock, Form, Input, List, Result, Skeleton, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { formatYuan } from '../payments/format.js';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { CardFace } from '../cards/CardFace.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { ecardMessages } from './messages.js';
import { ecardPaths } from './paths.js';
import { useInvalidateCards, useUpgradeStatus, type EcardResult, type SchoolOption, type UpgradeBody } from './queries.js';
import { SchoolStep } from './SchoolStep.js';
import './ecards.css';

/**
 * 小升初 / 初升高 (seed 000): choose the new school, then re-verify against the roster there; the
 * new stage's card keeps balance and history.
 */
export function UpgradePage() {
  const t = useMessages(ecardMessages);
  const { cardId = '' } = useParams();
  const navigate = useNavigate();
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidateCards();
  const status = useUpgradeStatus(cardId);
  const [form] = Form.useForm<Omit<UpgradeBody, 'schoolId'>>();
  const [school, setSchool] = useState<SchoolOption | null>(null);
  const upgrade = useIdempotentMutation({
    mutationFn: (body: UpgradeBody, idempotencyKey) => api.post<EcardResult>(`/ecards/k12/${cardId}/upgrade`, body, { idempotencyKey }),
    onSuccess: () => void invalidate(),
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });

  let body;
  if (upgrade.data) {
    const r = upgrade.data;
    body = (
      <div data-testid="upgrade-result">
        <Result status="success" title={t.upgraded} description={fill(t.upgradedHint, { stage: t[`stage_${(r.card.stage ?? 'middle') as 'middle'}`], amount: formatYuan(r.balanceMovedFen) })} />
        <CardFace card={r.card} />
        <Button block color="primary" size="large" onClick={() => navigate(ecardPaths.home)} data-testid="upgrade-done">{t.toMyEcards}</Button>
      </div>
    );
  } else if (status.isPending) {
    body = <Skeleton.Paragraph lineCount={6} animated />;
  } else if (status.isError) {
    body = <LoadFailed error={status.error} onRetry={() => void status.refetch()} />;
  } else if (!status.data.needed) {
    body = <ErrorBlock status="empty" title={t.upgradeNotDue} description={t.upgradeNotDueHint} data-testid="upgrade-not-due" />;
  } else if (!school) {
    body = (
      <>
        <div className="muted" style={{ margin: '0 4px 8px', fontSize: 13 }} data-testid="upgrade-school-hint">{t.upgradeChooseSchool}</div>
        <SchoolStep onChosen={setSchool} onBack={() => navigate(ecardPaths.home)} stage={status.data.toStage} />
      </>
    );
  } else {
    body = (
      <>
        <div className="ecard-check" data-testid="upgrade-summary">
          <Result
            status="info"
            title={<span data-testid="upgrade-kind">{status.data.kind}</span>}
            description={`${t[`stage_${(status.data.fromStage ?? 'primary') as 'primary'}`]} → ${t[`stage_${(status.data.toStage ?? 'middle') as 'middle'}`]}`}
          />
        </div>
        <Form
          form={form}
          layout="horizontal"
          onFinish={(v) => upgrade.mutate({ schoolId: school.id, name: v.name.trim(), idNumber: v.idNumber.trim(), educationId: v.educationId.trim() })}
          footer={<Button block type="submit" color="primary" size="large" loading={upgrade.isPending} data-testid="upgrade-submit">{t.upgradeNow}（{status.data.kind}）</Button>}
        >
          <Form.Header>{t.upgradeIntro}</Form.Header>
          <List.Item title={t.school} extra={<Button size="mini" fill="none" color="primary" onClick={() => setSchool(null)} data-testid="upgrade-change-school">{t.changeSchool}</Button>}>
            <span data-testid="upgrade-school">{school.name}</span>
          </List.Item>
          <Form.Item name="name" label={t.name} rules={[{ required: true, message: t.namePlaceholder }]}>
            <Input placeholder={t.namePlaceholder} data-testid="upgrade-name" />
          </Form.Item>
          <Form.Item name="idNumber" label={t.idNumber} rules={[{ required: true, message: t.idNumberPlaceholder }, { pattern: /^\d{17}[\dXx]$/, message: t.idNumberInvalid }]}>
            <Input placeholder={t.idNumberPlaceholder} maxLength={18} data-testid="upgrade-id-number" />
          </Form.Item>
          <Form.Item name="educationId" label={t.educationId} rules={[{ required: true, message: t.educationIdPlaceholder }, { pattern: /^\d{8}$/, message: t.educationIdInvalid }]}>
            <Input placeholder={t.educationIdPlaceholder} inputMode="numeric" maxLength={8} data-testid="upgrade-education-id" />
          </Form.Item>
        </Form>
      </>
    );
  }
  return <SubPage title={t.upgradeTitle} backTo={ecardPaths.home}>{body}</SubPage>;
}
