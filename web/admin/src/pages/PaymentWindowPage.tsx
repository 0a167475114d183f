import { PaymentWindowSettings } from '../calendar/PaymentWindowSettings.js';
import { canEditPaymentWindow } from '../payments/access.js';
import { useConsoleUser } from '../scope.js';

/** Which weekdays fee orders are payable on, and the window the app shows now. */
export function PaymentWindowPage() {
  const me = useConsoleUser();
  return <PaymentWindowSettings editable={canEditPaymentWindow(me.role)} />;
}
