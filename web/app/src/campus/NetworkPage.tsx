import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, Dialog, ErrorBlock, Input, List, ProgressBar, Skeleton, Tag, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import type { z } from 'zod';
import type { networkBalanceReturnSchema, networkOverviewSchema, networkSessionSchema, networkTopUpResultSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { useCheckout } from '../payments/cashier.js';
import { formatYuan } from '../payments/format.js';
import { paymentMessages } from '../payments/messages.js';
import type { Gateway } from '../payments/queries.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, fill, useErrorText, useReportFailure } from '../ui/text.js';
import { campusMessages } from './messages.js';
import './campus.css';

type Overview = z.infer<typeof networkOverviewSchema>;
type Session = z.infer<typeof networkSessionSchema>;
const presetsFen = [1_000, 2_000, 5_000];
const overviewKey = ['campus', 'network'];

/**
 * 校园网缴费 (seed 004): the network account and this month's charge against the ¥40 cap, a
 * top-up from the campus card with the query password or by Alipay / WeChat Pay (the cashier, then
 * the usual result page), the devices on now (each can be taken
 * off) and the sessions before.
 */
export function NetworkPage() {
  const t = useMessages(campusMessages);
  const api = useApi();
  const { token } = useSession();
  const overview = useQuery({ queryKey: [...overviewKey, token], queryFn: ({ signal }) => api.get<Overview>('/campus/network', undefined, signal), retry: false });

  let body;
  if (overview.isPending) body = <Skeleton.Paragraph lineCount={8} animated />;
  else if (overview.isError && errorCode(overview.error) === 'CAMPUS_CARD_NOT_IN_USE') body = <ErrorBlock status="empty" title={t.noCampusCard} description={t.noCampusCardHint} />;
  else if (overview.isError) body = <LoadFailed error={overview.error} onRetry={() => void overview.refetch()} />;
  else {
    const o = overview.data;
    body = (
      <>
        <p className="muted" style={{ fontSize: 13 }}>{fill(t.networkIntro, { price: formatYuan(o.fenPerDeviceHour), cap: formatYuan(o.monthlyCapFen), devices: String(o.maxDevices) })}</p>
        <Account overview={o} />
        <TopUpForm />
        <Online sessions={o.sessions.filter((s) => s.online)} />
        <Devices overview={o} />
        <History sessions={o.sessions.filter((s) => !s.online)} />
      </>
    );
  }
  return <SubPage title={t.networkTitle} backTo="/">{body}</SubPage>;
}

function Account({ overview: o }: { overview: Overview }) {
  const t = useMessages(campusMessages);
  const api = useApi();
  const queryClient = useQueryClient();
  const reportFailure = useReportFailure();
  const capped = o.monthChargedFen >= o.monthlyCapFen;
  // 网费转回校园卡: the whole balance back onto the campus card (the server refuses while a device is on).
  const giveBack = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post<z.infer<typeof networkBalanceReturnSchema>>('/campus/network/balance-return', undefined, { idempotencyKey }),
    onSuccess: async (done) => {
      Toast.show({ icon: 'success', content: fill(t.networkReturned, { amount: formatYuan(done.movedFen) }) });
      // The card's balance changed too.
      await Promise.all([overviewKey, ['cards']].map((queryKey) => queryClient.invalidateQueries({ queryKey })));
    },
    onError: (error) => reportFailure(error),
  });
  const confirmGiveBack = async () => {
    if (await Dialog.confirm({ content: fill(t.networkReturnConfirm, { amount: formatYuan(o.balanceFen) }), confirmText: t.networkReturn, cancelText: t.cancel })) giveBack.mutate();
  };
  return (
    <Card className="section" data-testid="network-account">
      <div className="muted">{t.networkBalance}</div>
      <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between' }}>
        <span style={{ fontSize: 28, fontWeight: 600 }} data-testid="network-balance">{formatYuan(o.balanceFen)}</span>
        {o.balanceFen > 0 && <Button size="mini" fill="outline" loading={giveBack.isPending} onClick={() => void confirmGiveBack()} data-testid="network-return">{t.networkReturn}</Button>}
      </div>
      <ProgressBar percent={Math.min(100, (o.monthChargedFen / o.monthlyCapFen) * 100)} style={{ margin: '8px 0 4px' }} />
      <div className="muted" style={{ fontSize: 13 }} data-testid="network-month">
        {fill(t.networkMonth, { month: o.month, charged: formatYuan(o.monthChargedFen), cap: formatYuan(o.monthlyCapFen) })}
        {capped && <> · {t.networkCapped}</>}
      </div>
    </Card>
  );
}

/** Where the money comes from: the campus card (with the query password), or a wallet through its cashier. */
type Source = 'campus_card' | Gateway;

function TopUpForm() {
  const t = useMessages(campusMessages);
  const p = useMessages(paymentMessages);
  const api = useApi();
  const reportFailure = useReportFailure();
  const queryClient = useQueryClient();
  const [amountFen, setAmountFen] = useState(presetsFen[1]!);
  const [source, setSource] = useState<Source>('campus_card');
  const [password, setPassword] = useState('');
  const checkout = useCheckout<{ amountFen: number }>('/orders/network-top-up', reportFailure);
  const topUp = useIdempotentMutation({
    mutationFn: (body: { amountFen: number; queryPassword: string }, idempotencyKey) => api.post<z.infer<typeof networkTopUpResultSchema>>('/campus/network/top-ups', body, { idempotencyKey }),
    onSuccess: async (done) => {
      Toast.show({ icon: 'success', content: fill(t.networkToppedUp, { balance: formatYuan(done.balanceFen) }) });
      setPassword('');
      await queryClient.invalidateQueries({ queryKey: overviewKey });
    },
    onError: (error) => reportFailure(error),
  });
  return (
    <List header={t.networkTopUp} mode="card" data-testid="network-top-up">
      <List.Item title={t.networkAmount}>
        <SingleSelector columns={3} value={[amountFen]} options={presetsFen.map((fen) => ({ value: fen, label: formatYuan(fen) }))} onChange={([fen]) => fen && setAmountFen(fen)} data-testid="network-amounts" />
      </List.Item>
      <List.Item title={p.choosePayment}>
        <SingleSelector
          columns={3}
          value={[source]}
          options={[{ value: 'campus_card' as const, label: t.networkFromCard }, { value: 'alipay' as const, label: p.alipay }, { value: 'wechat' as const, label: p.wechat }]}
          onChange={([next]) => next && setSource(next)}
          data-testid="network-source"
        />
      </List.Item>
      {source === 'campus_card' ? (
        <>
          <List.Item title={t.queryPassword}>
            <Input type="password" inputMode="numeric" maxLength={6} placeholder={t.queryPasswordPlaceholder} value={password} onChange={setPassword} data-testid="network-password" />
          </List.Item>
          <List.Item>
            <Button block color="primary" disabled={!/^\d{6}$/.test(password)} loading={topUp.isPending} onClick={() => topUp.mutate({ amountFen, queryPassword: password })} data-testid="network-top-up-submit">
              {fill(t.networkTopUpSubmit, { amount: formatYuan(amountFen) })}
            </Button>
          </List.Item>
        </>
      ) : (
        <List.Item>
          <Button block color="primary" loading={checkout.isPending} onClick={() => checkout.start({ amountFen }, source)} data-testid="network-top-up-pay">
            {fill(t.networkTopUpPay, { amount: formatYuan(amountFen), wallet: source === 'alipay' ? p.alipay : p.wechat })}
          </Button>
        </List.Item>
      )}
    </List>
  );
}

function Online({ sessions }: { sessions: Session[] }) {
  const t = useMessages(campusMessages);
  const { lang } = useLang();
  const api = useApi();
  const describe = useErrorText();
  const queryClient = useQueryClient();
  const signOff = useIdempotentMutation({
    mutationFn: (sessionId: string, idempotencyKey) => api.post<Session>(`/campus/network/sessions/${sessionId}/sign-off`, undefined, { idempotencyKey }),
    onSuccess: async () => {
      Toast.show({ icon: 'success', content: t.networkSignedOff });
      await queryClient.invalidateQueries({ queryKey: overviewKey });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  const confirmSignOff = async (s: Session) => {
    if (await Dialog.confirm({ content: fill(t.networkSignOffConfirm, { mac: s.deviceMac }), confirmText: t.networkSignOff, cancelText: t.cancel })) signOff.mutate(s.id);
  };
  return (
    <List header={t.networkOnline} mode="card" data-testid="network-online">
      {sessions.length === 0 ? (
        <List.Item><span className="muted">{t.networkNoneOnline}</span></List.Item>
      ) : (
        sessions.map((s) => (
          <List.Item
            key={s.id}
            description={fill(t.networkSince, { time: formatBeijingTime(s.startedAt, lang), minutes: String(s.minutes) })}
            extra={<Button size="mini" color="danger" fill="outline" loading={signOff.isPending && signOff.variables === s.id} onClick={() => void confirmSignOff(s)} data-testid="network-sign-off">{t.networkSignOff}</Button>}
            data-testid="network-online-item"
          >
            {s.deviceMac}
          </List.Item>
        ))
      )}
    </List>
  );
}

function Devices({ overview: o }: { overview: Overview }) {
  const t = useMessages(campusMessages);
  if (o.devices.length === 0) return null;
  return (
    <List header={t.networkDevices} mode="card" data-testid="network-devices">
      {o.devices.map((d) => (
        <List.Item key={d.deviceMac} extra={fill(t.networkDeviceHours, { minutes: String(d.minutes), hours: String(d.paidHours) })}>{d.deviceMac}</List.Item>
      ))}
    </List>
  );
}

function History({ sessions }: { sessions: Session[] }) {
  const t = useMessages(campusMessages);
  const { lang } = useLang();
  return (
    <List header={t.networkHistory} mode="card" data-testid="network-history">
      {sessions.length === 0 ? (
        <List.Item><span className="muted">{t.networkNoHistory}</span></List.Item>
      ) : (
        sessions.map((s) => (
          <List.Item
            key={s.id}
            description={`${s.deviceMac} · ${formatBeijingTime(s.startedAt, lang)}`}
            extra={s.endReason && <Tag fill="outline" data-testid="network-end-reason" data-reason={s.endReason}>{t[`networkEnd_${s.endReason}`]}</Tag>}
            data-testid="network-history-item"
          >
            {fill(t.networkSession, { minutes: String(s.minutes), charged: formatYuan(s.chargedFen) })}
          </List.Item>
        ))
      )}
    </List>
  );
}
