import { CheckCircleFilled, ClockCircleFilled, CloseCircleFilled } from '@ant-design/icons';
import { Button, DotLoading, ErrorBlock, Skeleton } from 'antd-mobile';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { formatYuan, isClosed, isPaid, itemName } from '../payments/format.js';
import { paymentMessages } from '../payments/messages.js';
import { CardBalanceAfter } from '../payments/CardSummary.js';
import { useConfirmedCancel } from '../payments/cancel-order.js';
import { useConfirmOrder, useOrder, type Confirmation } from '../payments/queries.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { campusPaths } from '../campus/paths.js';
import { useApplications } from '../cards/fulfilment.js';
import { cardPaths } from '../cards/paths.js';
import type { Order } from '../payments/queries.js';
import { LoadFailed } from './LoadFailed.js';

/** How often the order is read again, how often the gateways are asked, and for how long. */
const pollMs = 2_000;
const askEveryMs = 5_000;
const giveUpMs = 45_000;

function Outcome({ icon, title, testId, children }: { icon: ReactNode; title: string; testId: string; children?: ReactNode }) {
  return (
    <div className="pay-result" data-testid="pay-result" data-outcome={testId}>
      <div style={{ fontSize: 56 }}>{icon}</div>
      <h2 style={{ margin: '8px 0' }} data-testid="pay-result-title">{title}</h2>
      {children}
    </div>
  );
}

/** The gateways were asked and every one says the trade is closed (the payer cancelled at the cashier). */
const refusedAtGateway = (answer: Confirmation | undefined) =>
  answer !== undefined && !answer.confirmed && answer.gateways.length > 0 && answer.gateways.every((g) => g.state === 'closed');

/**
 * Where the cashier sends the payer back: the order is read every few seconds and the gateways
 * are asked (the server's 已完成支付) until the order is paid, refused or closed; after a while
 * the page stops and offers 已完成支付 and 继续支付 by hand.
 */
/** A paid fee for an application (补卡工本费): 办理进度 opens the application's progress timeline. */
function ApplicationProgressButton({ order }: { order: Order }) {
  const t = useMessages(paymentMessages);
  const navigate = useNavigate();
  const forApplication = order.kind === 'fee' && order.projectStatus !== null;
  const applications = useApplications(forApplication ? order.studentId : undefined);
  const application = applications.data?.find((a) => a.feeOrder?.id === order.id);
  if (!application) return null;
  return (
    <Button block color="primary" onClick={() => navigate(cardPaths.application(application.id), { replace: true })} data-testid="result-application">
      {t.applicationProgress}
    </Button>
  );
}

function Result({ orderId }: { orderId: string }) {
  const t = useMessages(paymentMessages);
  const { lang } = useLang();
  const navigate = useNavigate();
  const describe = useErrorText();
  const confirm = useConfirmOrder(orderId);
  const cancel = useConfirmedCancel(orderId);
  const [gaveUp, setGaveUp] = useState(false);
  /** Each 已完成支付 after giving up starts another round of asking. */
  const [round, setRound] = useState(0);
  const [lastAnswer, setLastAnswer] = useState<Confirmation>();
  const [lastError, setLastError] = useState<unknown>();
  const order = useOrder(orderId, { refetchInterval: (seen) => (gaveUp || (seen && (isPaid(seen) || isClosed(seen))) ? false : pollMs) });
  const settled = order.isSuccess && (isPaid(order.data) || isClosed(order.data));
  const refused = refusedAtGateway(lastAnswer);
  const waiting = !settled && !refused && !gaveUp;

  // Ask the gateways now and every few seconds while the outcome is unknown.
  const ask = useRef(confirm.mutateAsync);
  ask.current = confirm.mutateAsync;
  useEffect(() => {
    if (!waiting) return;
    let stopped = false;
    const askOnce = () =>
      ask.current().then((answer) => {
        if (!stopped) setLastAnswer(answer);
      }, (error: unknown) => {
        if (!stopped) setLastError(error);
      });
    void askOnce();
    const timer = setInterval(() => void askOnce(), askEveryMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [waiting]);

  useEffect(() => {
    const timer = setTimeout(() => setGaveUp(true), giveUpMs);
    return () => clearTimeout(timer);
  }, [round]);

  if (order.isPending) return <Skeleton.Paragraph lineCount={4} animated />;
  if (order.isError) return <LoadFailed error={order.error} onRetry={() => void order.refetch()} />;
  const current = order.data;
  const toOrder = (
    <Button block color="primary" fill="outline" onClick={() => navigate(`/orders/${orderId}`, { replace: true })} data-testid="result-view-order">
      {t.viewOrder}
    </Button>
  );

  if (isPaid(current)) {
    return (
      <>
        <Outcome icon={<CheckCircleFilled style={{ color: 'var(--adm-color-success)' }} />} title={t.resultSuccess} testId="paid">
          <div className="big-amount" data-testid="pay-result-amount">{formatYuan(current.amountFen)}</div>
          <div className="muted">{current.kind === 'top_up' ? fill(t.resultSuccessTopUp, { amount: formatYuan(current.amountFen) }) : itemName(current, lang)}</div>
        </Outcome>
        {current.cardId && <CardBalanceAfter cardId={current.cardId} />}
        <div className="pay-actions">
          {current.kind === 'network_top_up' && (
            <Button block color="primary" onClick={() => navigate(campusPaths.network, { replace: true })} data-testid="result-network">{t.backToNetwork}</Button>
          )}
          {current.kind === 'school_bill' && (
            <Button block color="primary" onClick={() => navigate(`${campusPaths.bills}?studentId=${current.studentId}`, { replace: true })} data-testid="result-bills">{t.backToBills}</Button>
          )}
          <ApplicationProgressButton order={current} />
          {toOrder}
          <Button block fill="none" onClick={() => navigate('/', { replace: true })}>{t.backHome}</Button>
        </div>
      </>
    );
  }

  if (isClosed(current) || refused) {
    return (
      <>
        <Outcome icon={<CloseCircleFilled style={{ color: 'var(--adm-color-danger)' }} />} title={t.resultFailed} testId="failed">
          <div className="muted" data-testid="pay-result-hint">
            {!isClosed(current) ? t.resultFailedHint : current.lateRefundFen > 0 ? fill(t.resultSentBackHint, { amount: formatYuan(current.lateRefundFen) }) : t.resultClosedHint}
          </div>
        </Outcome>
        <div className="pay-actions">
          {!isClosed(current) && (
            <Button block color="primary" onClick={() => navigate(`/orders/${orderId}`, { replace: true })} data-testid="result-continue">
              {t.continuePay}
            </Button>
          )}
          {/* Cancelled at the cashier, the order still waits for payment: it can be given up here too. */}
          {!isClosed(current) && (
            <Button block fill="none" loading={cancel.isPending} onClick={() => void cancel.run()} data-testid="result-cancel">
              {t.cancelOrder}
            </Button>
          )}
          {isClosed(current) && toOrder}
        </div>
      </>
    );
  }

  if (gaveUp) {
    return (
      <>
        <Outcome icon={<ClockCircleFilled style={{ color: 'var(--adm-color-warning)' }} />} title={t.resultUnknown} testId="unknown">
          <div className="muted">{t.resultUnknownHint}</div>
          {lastError !== undefined && <div className="form-error" style={{ marginTop: 12 }}>{describe(lastError)}</div>}
        </Outcome>
        <div className="pay-actions">
          <Button block color="primary" loading={confirm.isPending} onClick={() => { setLastError(undefined); setLastAnswer(undefined); setGaveUp(false); setRound((n) => n + 1); }} data-testid="result-confirm">
            {t.paymentDone}
          </Button>
          <Button block color="primary" fill="outline" onClick={() => navigate(`/orders/${orderId}`, { replace: true })}>
            {t.continuePay}
          </Button>
        </div>
      </>
    );
  }

  return (
    <>
      <Outcome icon={<DotLoading color="primary" />} title={t.resultChecking} testId="checking">
        <div className="big-amount">{formatYuan(current.amountFen)}</div>
        <div className="muted">{t.resultCheckingHint}</div>
      </Outcome>
      {/* Came back without paying: no need to wait for the check to give up. */}
      <Button block fill="none" onClick={() => navigate(`/orders/${orderId}`, { replace: true })}>
        {t.continuePay}
      </Button>
    </>
  );
}

/** The payment result page at /pay/result?orderId=…; a top-up shows the card's new balance. */
export function PayResultPage() {
  const t = useMessages(paymentMessages);
  const [search] = useSearchParams();
  const orderId = search.get('orderId');
  return (
    <SubPage title={t.payResult} backTo="/orders">
      {orderId ? <Result key={orderId} orderId={orderId} /> : <ErrorBlock status="empty" title={t.missingOrder} description={null} />}
    </SubPage>
  );
}
