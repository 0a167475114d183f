import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, Input, List, Skeleton, Switch, Tag, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import type { z } from 'zod';
import { autoTopUpLimits } from '../../../../src/domain/auto-top-up.js';
import type { agreementSigningSchema, autoTopUpSchema, paymentAgreementSchema } from '../../../../src/modules/payments/payments.schemas.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { formatYuan } from '../payments/format.js';
import { fill, useErrorText } from '../ui/text.js';
import { fenWithin } from './AmountSettingSection.js';
import { accountMessages } from './messages.js';

type AutoTopUp = z.infer<typeof autoTopUpSchema>;
type Agreement = z.infer<typeof paymentAgreementSchema>;
type Gateway = Agreement['gateway'];
const gateways: readonly Gateway[] = ['alipay', 'wechat'];

/**
 * 自动充值 on a child's page: first the parent's withholding agreement, with Alipay (免密代扣) or
 * WeChat Pay (委托代扣) as the parent chooses (signed on the gateway's page, which sends the
 * parent back here; the server then asks the gateway), then the two amounts, and the last
 * charges with their outcome.
 */
export function AutoTopUpSection({ studentId }: { studentId: string }) {
  const t = useMessages(accountMessages);
  const api = useApi();
  const { token } = useSession();
  const queryClient = useQueryClient();
  const describe = useErrorText();
  const agreementKey = ['payment-agreement', token];
  const settingKey = ['auto-top-up', studentId, token];
  // Asked first: a signing the parent just came back from is confirmed with its gateway by this request.
  const agreement = useQuery({ queryKey: agreementKey, queryFn: ({ signal }) => api.get<Agreement | null>('/me/payment-agreement', undefined, signal) });
  const setting = useQuery({ queryKey: settingKey, queryFn: ({ signal }) => api.get<AutoTopUp>(`/me/children/${studentId}/auto-top-up`, undefined, signal), enabled: agreement.isSuccess });

  const [chosen, setChosen] = useState<Gateway | null>(null);
  const sign = useMutation({
    mutationFn: (gateway: Gateway) => api.post<z.infer<typeof agreementSigningSchema>>('/me/payment-agreement', { gateway, returnPath: `/children/${studentId}` }),
    onSuccess: ({ signUrl }) => window.location.assign(signUrl),
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  const end = useMutation({
    mutationFn: (agreementId: string) => api.delete(`/me/payment-agreement/${agreementId}`),
    onSuccess: async () => {
      Toast.show({ icon: 'success', content: t.autoTopUpEnded });
      await queryClient.invalidateQueries({ queryKey: ['payment-agreement'] });
      await queryClient.invalidateQueries({ queryKey: ['auto-top-up'] });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });

  if (agreement.isError) return <LoadFailed error={agreement.error} onRetry={() => void agreement.refetch()} />;
  if (setting.isError) return <LoadFailed error={setting.error} onRetry={() => void setting.refetch()} />;
  if (!agreement.isSuccess || !setting.data) return <List className="section" header={t.autoTopUpTitle}><List.Item><Skeleton.Paragraph lineCount={2} animated /></List.Item></List>;

  const signed = agreement.data?.status === 'active';
  // The gateway of a signing under way, until the parent picks another; Alipay at first.
  const gateway: Gateway = chosen ?? agreement.data?.gateway ?? 'alipay';
  const gatewayName = (g: Gateway) => t[`autoTopUpGateway_${g}`];
  const confirmEnd = async () => {
    if (agreement.data && (await Dialog.confirm({ content: t.autoTopUpEndConfirm }))) end.mutate(agreement.data.id);
  };
  return (
    <List className="section" header={t.autoTopUpTitle} data-testid="auto-top-up">
      {signed ? (
        <List.Item
          description={fill(t.autoTopUpAgreementOn, { no: agreement.data?.agreementNoMasked ?? '' })}
          extra={<Button size="small" fill="outline" loading={end.isPending} onClick={() => void confirmEnd()} data-testid="auto-top-up-end-agreement">{t.autoTopUpEndAgreement}</Button>}
        >
          <span data-testid="auto-top-up-agreement" data-gateway={agreement.data?.gateway}>{t[`autoTopUpAgreement_${agreement.data?.gateway ?? 'alipay'}`]}</span>
        </List.Item>
      ) : (
        <>
          {/* The intro in the descriptions' size, as the other settings' intros. */}
          <List.Item
            description={(
              <>
                <div data-testid="auto-top-up-intro">{t.autoTopUpIntro}</div>
                {agreement.data?.status === 'signing'
                  ? <div data-testid="auto-top-up-signing">{fill(t.autoTopUpSigning, { gateway: gatewayName(agreement.data.gateway) })}</div>
                  : <div>{t.autoTopUpAgreementNeeded}</div>}
              </>
            )}
          />
          <List.Item
            description={(
              <SingleSelector
                columns={2}
                value={[gateway]}
                onChange={(value) => { if (value[0]) setChosen(value[0]); }}
                options={gateways.map((g) => ({ label: gatewayName(g), value: g }))}
                disabled={sign.isPending}
                aria-label={t.autoTopUpChoose}
                data-testid="auto-top-up-gateway"
              />
            )}
          >
            {t.autoTopUpChoose}
          </List.Item>
          <List.Item>
            <Button block color="primary" loading={sign.isPending} onClick={() => sign.mutate(gateway)} data-testid="auto-top-up-sign">
              {fill(t.autoTopUpSign, { gateway: gatewayName(gateway) })}
            </Button>
          </List.Item>
        </>
      )}
      {signed && <AmountsEditor studentId={studentId} setting={setting.data} settingKey={settingKey} />}
      {setting.data.recent.length > 0 && <RecentCharges recent={setting.data.recent} />}
    </List>
  );
}

type Amounts = { thresholdFen: number; amountFen: number; monthlyCapFen: number | null };

/** What the form holds, as amounts to save, or null with the range each field breaks. */
function formAmounts(below: string, amount: string, cap: string): { amounts: Amounts | null; amountsWrong: boolean; capWrong: boolean } {
  const l = autoTopUpLimits;
  const thresholdFen = fenWithin(below, l.thresholdMinFen, l.thresholdMaxFen);
  const amountFen = fenWithin(amount, l.amountMinFen, l.amountMaxFen);
  const monthlyCapFen = cap.trim() === '' ? null : fenWithin(cap, l.monthlyCapMinFen, l.monthlyCapMaxFen);
  const amountsWrong = thresholdFen === null || amountFen === null;
  const capWrong = cap.trim() !== '' && (monthlyCapFen === null || (amountFen !== null && monthlyCapFen < amountFen));
  return { amounts: amountsWrong || capWrong ? null : { thresholdFen, amountFen, monthlyCapFen }, amountsWrong, capWrong };
}

function AmountsEditor({ studentId, setting, settingKey }: { studentId: string; setting: AutoTopUp; settingKey: unknown[] }) {
  const t = useMessages(accountMessages);
  const api = useApi();
  const queryClient = useQueryClient();
  const describe = useErrorText();
  const path = `/me/children/${studentId}/auto-top-up`;
  const [editing, setEditing] = useState(false);
  const [below, setBelow] = useState('10');
  const [amount, setAmount] = useState('50');
  const [cap, setCap] = useState('');

  const save = useIdempotentMutation({
    mutationFn: (body: Amounts | null, idempotencyKey) =>
      api.request<AutoTopUp>(body === null ? 'DELETE' : 'PUT', path, { ...(body === null ? {} : { body }), idempotencyKey }),
    onSuccess: (saved) => {
      queryClient.setQueryData(settingKey, saved);
      setEditing(false);
      const on = saved.thresholdFen !== null && saved.amountFen !== null;
      Toast.show({ icon: 'success', content: on ? fill(t.autoTopUpSaved, { below: formatYuan(saved.thresholdFen!), amount: formatYuan(saved.amountFen!) }) : t.autoTopUpOff });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });

  const current = setting.thresholdFen !== null && setting.amountFen !== null ? { below: setting.thresholdFen, amount: setting.amountFen, cap: setting.monthlyCapFen } : null;
  const on = current !== null || editing;
  const form = formAmounts(below, amount, cap);
  const edit = () => {
    setBelow(String((current?.below ?? 1_000) / 100));
    setAmount(String((current?.amount ?? 5_000) / 100));
    setCap(current?.cap ? String(current.cap / 100) : '');
    setEditing(true);
  };
  const toggle = (checked: boolean) => {
    if (checked) edit();
    else if (current === null) setEditing(false);
    else save.mutate(null);
  };
  const rule = current && fill(current.cap === null ? t.autoTopUpRule : t.autoTopUpRuleCapped, { below: formatYuan(current.below), amount: formatYuan(current.amount), cap: formatYuan(current.cap ?? 0) });

  return (
    <>
      <List.Item extra={<Switch checked={on} loading={save.isPending && save.variables === null} onChange={toggle} aria-label={t.autoTopUpSwitch} data-testid="auto-top-up-switch" />}>
        {t.autoTopUpSwitch}
      </List.Item>
      {current !== null && !editing && (
        <List.Item onClick={edit} arrow description={<span data-testid="auto-top-up-month">{fill(t.autoTopUpMonth, { charged: formatYuan(setting.monthChargedFen) })}</span>}>
          <span data-testid="auto-top-up-rule">{rule}</span>
        </List.Item>
      )}
      {editing && (
        <>
          <List.Item extra={<Input type="text" inputMode="decimal" value={below} onChange={setBelow} aria-label={t.autoTopUpBelow} data-testid="auto-top-up-below" style={{ width: 96 }} />}>{t.autoTopUpBelow}</List.Item>
          <List.Item extra={<Input type="text" inputMode="decimal" value={amount} onChange={setAmount} aria-label={t.autoTopUpAmount} data-testid="auto-top-up-amount" style={{ width: 96 }} />}>{t.autoTopUpAmount}</List.Item>
          <List.Item extra={<Input type="text" inputMode="decimal" value={cap} onChange={setCap} aria-label={t.autoTopUpCap} data-testid="auto-top-up-cap" style={{ width: 96 }} />}>{t.autoTopUpCap}</List.Item>
          <List.Item
            description={form.amounts ? undefined : <span className="form-error" data-testid="auto-top-up-error">{form.amountsWrong ? t.autoTopUpRange : t.autoTopUpCapRange}</span>}
            extra={<Button size="small" color="primary" disabled={!form.amounts} loading={save.isPending && save.variables !== null} onClick={() => { if (form.amounts) save.mutate(form.amounts); }} data-testid="auto-top-up-save">{t.settingSave}</Button>}
          />
        </>
      )}
    </>
  );
}

function RecentCharges({ recent }: { recent: AutoTopUp['recent'] }) {
  const t = useMessages(accountMessages);
  const { lang } = useLang();
  const colour = { charging: 'warning', paid: 'success', failed: 'danger' } as const;
  return (
    <>
      <List.Item><span className="muted">{t.autoTopUpRecent}</span></List.Item>
      {recent.map((charge) => (
        <List.Item
          key={charge.at + charge.cardNoMasked}
          data-testid="auto-top-up-charge"
          description={`${formatBeijingTime(charge.at, lang)} · ${charge.cardNoMasked}${charge.failure ? ` · ${t[`autoTopUpFailure_${charge.failure}` as keyof typeof t] ?? charge.failure}` : ''}`}
          extra={<Tag color={colour[charge.status]}>{t[`autoTopUp_${charge.status}`]}</Tag>}
        >
          {formatYuan(charge.amountFen)}
        </List.Item>
      ))}
    </>
  );
}
