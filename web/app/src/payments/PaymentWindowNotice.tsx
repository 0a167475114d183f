import { Skeleton } from 'antd-mobile';
import { useMessages } from '../../../shared/i18n.js';
import { NoticesLink } from '../notices/NoticesLink.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { fill } from '../ui/text.js';
import { nextWindowLabel, weekdaysLabel } from './format.js';
import { paymentMessages } from './messages.js';
import { usePaymentWindow, type PaymentWindow } from './queries.js';
import './payments.css';

/** Fees are paid only inside the window (Mondays and Tuesdays, not on holidays or vacations). */
export function PaymentWindowText({ status }: { status: PaymentWindow }) {
  const t = useMessages(paymentMessages);
  const rule = fill(t.windowRule, { days: weekdaysLabel(t, status.weekdays) });
  return (
    <div className={status.open ? 'notice info' : 'notice'} data-testid="payment-window">
      <div>{status.open ? t.windowOpen : <strong>{t.windowClosed}</strong>}</div>
      <div>{rule} <NoticesLink /></div>
      {!status.open && <div data-testid="payment-window-next">{nextWindowLabel(t, status)}</div>}
    </div>
  );
}

/** The window as the fee screens show it (loading and failure states included). */
export function PaymentWindowNotice() {
  const paymentWindow = usePaymentWindow();
  if (paymentWindow.isPending) return <Skeleton.Paragraph lineCount={2} animated />;
  if (paymentWindow.isError) return <LoadFailed error={paymentWindow.error} onRetry={() => void paymentWindow.refetch()} />;
  return <PaymentWindowText status={paymentWindow.data} />;
}
