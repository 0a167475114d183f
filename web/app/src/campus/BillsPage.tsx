import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Card, ErrorBlock, Input, List, Popup, Skeleton, Tag, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { z } from 'zod';
import type { billPaidSchema, schoolBillSchema } from '../../../../src/modules/campus/school-bills.schemas.js';
import { fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import type { ApiClient } from '../../../shared/api.js';
import { useApi, useMe, useSession } from '../../../shared/session.js';
import { useCards, useInvalidateCards, useParentChildren } from '../cards/queries.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { useCheckout } from '../payments/cashier.js';
import { formatYuan } from '../payments/format.js';
import { paymentMessages } from '../payments/messages.js';
import { moneyPaths } from '../payments/paths.js';
import type { Gateway } from '../payments/queries.js';
import { SubPage } from '../ui/SubPage.js';
import { useReportFailure } from '../ui/text.js';
import { billMessages } from './bill-messages.js';
import { isCampusStage } from './paths.js';
import '../payments/payments.css';
import './campus.css';

type Bill = z.infer<typeof schoolBillSchema>;
const billsKey = ['campus', 'bills'] as const;

/** A student's bills (the signed-in student's own without `studentId`): this page's query and the home page's reminder. */
export function billsQuery(api: ApiClient, token: string | null, studentId: string | undefined) {
  return {
    queryKey: [...billsKey, token, studentId],
    queryFn: ({ signal }: { signal: AbortSignal }) => api.get<{ items: Bill[]; unpaidFen: number }>('/campus/bills', studentId ? { studentId } : undefined, signal),
  };
}

/** Where the money comes from: the campus card (with the query password), or a wallet through its cashier. */
type Source = 'campus_card' | Gateway;

function useBillTitle() {
  const t = useMessages(billMessages);
  return (bill: Bill) => (bill.kind === 'tuition' ? fill(t.titleTuition, { year: bill.academicYear }) : fill(t.titleRetake, { course: bill.course ?? '' }));
}

/**
 * 学费缴费 (seed 004: 学费及重修费缴费): the bills the university issued, those to pay first, each
 * paid once from the campus card or by Alipay / WeChat Pay; then the paid and cancelled ones.
 */
export function BillsPage() {
  const t = useMessages(billMessages);
  const me = useMe();
  const parent = me.data?.role === 'parent';
  const children = useParentChildren(parent);
  const [params, setParams] = useSearchParams();
  const universityChildren = (children.data ?? []).filter((child) => isCampusStage(child.stage));
  // A parent pays for one university child at a time: the one in the address, else the first.
  const childId = parent ? (universityChildren.find((c) => c.studentId === params.get('studentId')) ?? universityChildren[0])?.studentId : undefined;

  let body;
  if (me.isPending || (parent && children.isPending)) body = <Skeleton.Paragraph lineCount={5} animated />;
  else if (me.isError) body = <LoadFailed error={me.error} onRetry={() => void me.refetch()} />;
  else if (parent && children.isError) body = <LoadFailed error={children.error} onRetry={() => void children.refetch()} />;
  else if (parent && !childId) body = <ErrorBlock status="empty" title={t.noUniversityChild} data-testid="bills-no-child" />;
  else {
    body = (
      <>
        {parent && (
          <>
            <p className="muted" style={{ fontSize: 13 }}>{t.parentPays}</p>
            {universityChildren.length > 1 && (
              <SingleSelector columns={2} value={[childId!]} options={universityChildren.map((c) => ({ value: c.studentId, label: c.name }))} onChange={([id]) => id && setParams({ studentId: id }, { replace: true })} data-testid="bills-child" />
            )}
          </>
        )}
        <StudentBills studentId={childId} />
      </>
    );
  }
  return (
    <SubPage title={t.billsTitle} backTo="/">
      <p className="muted" style={{ fontSize: 13 }}>{t.billsIntro}</p>
      {body}
    </SubPage>
  );
}

/** One student's bills: the signed-in student's own (no `studentId`), or a parent's child's. */
function StudentBills({ studentId }: { studentId: string | undefined }) {
  const t = useMessages(billMessages);
  const api = useApi();
  const { token } = useSession();
  const bills = useQuery(billsQuery(api, token, studentId));
  const [paying, setPaying] = useState<Bill | null>(null);

  let body;
  if (bills.isPending) body = <Skeleton.Paragraph lineCount={5} animated />;
  else if (bills.isError) body = <LoadFailed error={bills.error} onRetry={() => void bills.refetch()} />;
  else if (bills.data.items.length === 0) body = <ErrorBlock status="empty" title={t.noBills} data-testid="bills-empty" />;
  else {
    const unpaid = bills.data.items.filter((b) => b.status === 'unpaid');
    const rest = bills.data.items.filter((b) => b.status !== 'unpaid');
    body = (
      <>
        <Card style={{ marginBottom: 12 }}>
          <div className="muted">{t.unpaidTotal}</div>
          <div className="big-amount" data-testid="bills-unpaid-total">{formatYuan(bills.data.unpaidFen)}</div>
        </Card>
        {unpaid.length > 0 && <UnpaidBills items={unpaid} onPay={setPaying} />}
        {rest.length > 0 && <BillHistory items={rest} />}
      </>
    );
  }
  return (
    <>
      {body}
      <Popup visible={paying !== null} onMaskClick={() => setPaying(null)} bodyStyle={{ borderTopLeftRadius: 8, borderTopRightRadius: 8, padding: '12px 0' }} destroyOnClose>
        {paying && <PayBill bill={paying} onDone={() => setPaying(null)} />}
      </Popup>
    </>
  );
}

function UnpaidBills({ items, onPay }: { items: Bill[]; onPay(bill: Bill): void }) {
  const t = useMessages(billMessages);
  const navigate = useNavigate();
  const title = useBillTitle();
  return (
    <List header={t.toPay} mode="card" data-testid="bills-unpaid">
      {items.map((bill) => (
        <List.Item
          key={bill.id}
          data-testid="bill-item"
          data-status={bill.status}
          extra={
            bill.waitingOrderId
              ? <Button size="small" onClick={() => navigate(moneyPaths.order(bill.waitingOrderId!))} data-testid="bill-to-order">{t.toOrder}</Button>
              : <Button size="small" color="primary" onClick={() => onPay(bill)} data-testid="bill-pay">{t.pay}</Button>
          }
          description={
            <>
              <div>{fill(t.dueOn, { date: bill.dueDate })} {bill.overdue && <Tag color="danger" fill="outline" data-testid="bill-overdue">{t.overdue}</Tag>}</div>
              <div>{fill(t.payee, { school: bill.schoolName })}</div>
              {bill.waitingOrderId && <Tag color="warning" fill="outline" data-testid="bill-order-waiting">{t.orderWaiting}</Tag>}
            </>
          }
        >
          <div>{title(bill)}</div>
          <div className="amount" data-testid="bill-amount">{formatYuan(bill.amountFen)}</div>
        </List.Item>
      ))}
    </List>
  );
}

function BillHistory({ items }: { items: Bill[] }) {
  const t = useMessages(billMessages);
  const { lang } = useLang();
  const title = useBillTitle();
  return (
    <List header={t.history} mode="card" data-testid="bills-history">
      {items.map((bill) => (
        <List.Item
          key={bill.id}
          data-testid="bill-item"
          data-status={bill.status}
          extra={formatYuan(bill.amountFen)}
          description={
            bill.status === 'paid'
              ? `${fill(t.paidOn, { time: formatBeijingTime(bill.paidAt!, lang) })} · ${bill.paidVia === 'campus_card' ? t.paidViaCard : t.paidViaOrder}`
              : fill(t.cancelled, { reason: bill.cancelReason ?? '' })
          }
        >
          {title(bill)}
        </List.Item>
      ))}
    </List>
  );
}

/** The bottom sheet: the campus card with its query password, or Alipay / WeChat Pay through the cashier. */
function PayBill({ bill, onDone }: { bill: Bill; onDone(): void }) {
  const t = useMessages(billMessages);
  const p = useMessages(paymentMessages);
  const title = useBillTitle();
  const api = useApi();
  const reportFailure = useReportFailure();
  const queryClient = useQueryClient();
  const invalidateCards = useInvalidateCards();
  // The campus card pays only with the student's own query password: a parent pays by wallet.
  const fromCard = useMe().data?.role === 'student';
  const cards = useCards();
  const card = fromCard ? cards.data?.find((c) => c.product === 'campus_card' && c.status === 'active') : undefined;
  // A card that cannot pay all of it is not offered (the server would answer only 余额不足): a wallet then.
  const short = card !== undefined && card.availableFen < bill.amountFen;
  const [chosen, setSource] = useState<Source | null>(null);
  const source: Source = chosen ?? (card && !short ? 'campus_card' : 'alipay');
  const [password, setPassword] = useState('');
  const checkout = useCheckout<{ billId: string }>('/orders/school-bill', reportFailure);
  const payFromCard = useIdempotentMutation({
    mutationFn: (queryPassword: string, idempotencyKey) => api.post<z.infer<typeof billPaidSchema>>(`/campus/bills/${bill.id}/pay`, { queryPassword }, { idempotencyKey }),
    onSuccess: async (done) => {
      Toast.show({ icon: 'success', content: fill(t.paidFromCard, { balance: formatYuan(done.balanceAfterFen) }) });
      onDone();
      await Promise.all([queryClient.invalidateQueries({ queryKey: billsKey }), invalidateCards()]);
    },
    onError: (error) => reportFailure(error),
  });
  const amount = formatYuan(bill.amountFen);
  return (
    <List header={fill(t.payTitle, { title: title(bill) })} data-testid="bill-pay-sheet">
      <List.Item extra={<span className="amount">{amount}</span>}>{fill(t.payee, { school: bill.schoolName })}</List.Item>
      {card && (
        <List.Item
          extra={<span data-testid="bill-card-balance">{formatYuan(card.availableFen)}</span>}
          description={short && (
            <span data-testid="bill-card-short">
              {fill(t.cardShort, { balance: formatYuan(card.availableFen), amount })}{' '}
              <Link to={moneyPaths.cardTopUp(card.id)} data-testid="bill-card-top-up">{t.topUpCard}</Link>
            </span>
          )}
        >
          {t.cardBalance}
        </List.Item>
      )}
      <List.Item title={p.choosePayment}>
        {fromCard && cards.isPending ? <Skeleton.Paragraph lineCount={1} animated /> : (
          <SingleSelector
            columns={3}
            value={[source]}
            options={[...(fromCard ? [{ value: 'campus_card' as const, label: t.fromCard, disabled: !card || short }] : []), { value: 'alipay' as const, label: p.alipay }, { value: 'wechat' as const, label: p.wechat }]}
            onChange={([next]) => next && setSource(next)}
            data-testid="bill-source"
          />
        )}
      </List.Item>
      {source === 'campus_card' ? (
        <>
          <List.Item title={t.queryPassword}>
            <Input type="password" inputMode="numeric" maxLength={6} placeholder={t.queryPasswordPlaceholder} value={password} onChange={setPassword} data-testid="bill-password" />
          </List.Item>
          <List.Item>
            <Button block color="primary" disabled={!/^\d{6}$/.test(password)} loading={payFromCard.isPending} onClick={() => payFromCard.mutate(password)} data-testid="bill-pay-card">
              {fill(t.payFromCard, { amount })}
            </Button>
          </List.Item>
        </>
      ) : (
        <List.Item>
          <Button block color="primary" loading={checkout.isPending} onClick={() => checkout.start({ billId: bill.id }, source)} data-testid="bill-pay-wallet">
            {fill(t.payByWallet, { amount, wallet: source === 'alipay' ? p.alipay : p.wechat })}
          </Button>
        </List.Item>
      )}
      <List.Item>
        <Button block fill="none" onClick={onDone}>{t.close}</Button>
      </List.Item>
    </List>
  );
}
