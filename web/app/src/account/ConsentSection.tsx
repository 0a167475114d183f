import { Dialog, List, Skeleton, Switch, Toast } from 'antd-mobile';
import type { z } from 'zod';
import type { consentPurposeSchema } from '../../../../src/modules/identity/account.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { fill, useErrorText } from '../ui/text.js';
import { accountMessages } from './messages.js';
import { useConsents, useInvalidate, type ConsentPurpose } from './queries.js';

/** Every purpose a guardian can consent to, in the order shown (typed: a new one must be added here). */
const purposeKeys: Record<ConsentPurpose, `consent_${ConsentPurpose}`> = {
  nfc_ecard: 'consent_nfc_ecard',
  photo: 'consent_photo',
  data_processing: 'consent_data_processing',
};
const purposes = Object.keys(purposeKeys) as ConsentPurpose[];

/** A parent's consents for a child under 14 (PIPL); for an older child it says none are needed. */
export function ConsentSection({ studentId }: { studentId: string }) {
  const t = useMessages(accountMessages);
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidate();
  const consents = useConsents(studentId);

  const toggle = useIdempotentMutation({
    mutationFn: ({ purpose, on }: { purpose: ConsentPurpose; on: boolean }, idempotencyKey) =>
      on
        ? api.post('/students/' + studentId + '/consents', { purpose } satisfies { purpose: z.input<typeof consentPurposeSchema> }, { idempotencyKey })
        : api.delete(`/students/${studentId}/consents/${purpose}`, { idempotencyKey }),
    onSuccess: (_, { on }) => Toast.show({ icon: 'success', content: on ? t.consentGiven : t.consentWithdrawn }),
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
    onSettled: () => invalidate('consents'),
  });

  const onChange = async (purpose: ConsentPurpose, on: boolean) => {
    if (!on && !(await Dialog.confirm({ content: fill(t.withdrawConsentConfirm, { purpose: t[purposeKeys[purpose]] }) }))) return;
    toggle.mutate({ purpose, on });
  };

  return (
    <List className="section" header={t.consentTitle} data-testid="consents">
      {consents.isPending ? (
        <List.Item><Skeleton.Paragraph lineCount={2} animated /></List.Item>
      ) : consents.isError ? (
        <LoadFailed error={consents.error} onRetry={() => void consents.refetch()} />
      ) : !consents.data.needsGuardianConsent ? (
        <List.Item><span className="muted">{t.consentNotNeeded}</span></List.Item>
      ) : (
        <>
          <List.Item><span className="muted">{t.consentIntro}</span></List.Item>
          {purposes.map((purpose) => {
            const active = consents.data.consents.some((c) => c.purpose === purpose && c.revokedAt === null);
            const busy = toggle.isPending && toggle.variables.purpose === purpose;
            return (
              <List.Item key={purpose} extra={<Switch checked={active} loading={busy} disabled={toggle.isPending && !busy} onChange={(on) => void onChange(purpose, on)} aria-label={t[purposeKeys[purpose]]} data-testid={`consent-${purpose}`} />}>
                {t[purposeKeys[purpose]]}
              </List.Item>
            );
          })}
        </>
      )}
    </List>
  );
}
