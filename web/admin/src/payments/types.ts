import type { z } from 'zod';
import type { paymentWindowSchema, calendarDaySchema } from '../../../../src/modules/calendar/calendar.routes.js';
import type { reconciliationSchema, refundSchema, balanceRefundSchema } from '../../../../src/modules/payments/payments.schemas.js';

/** The console's view of the payments API, from the server's zod schemas (type-only imports). */
export type {
  AdminOrderRow, AdminOrderDetail, AdminBalanceRefundRow, AdminBalanceRefundDetail,
} from '../../../../src/modules/payments/admin-payments.schemas.js';
export type Refund = z.infer<typeof refundSchema>;
export type BalanceRefund = z.infer<typeof balanceRefundSchema>;
export type Reconciliation = z.infer<typeof reconciliationSchema>;
export type PaymentWindow = z.infer<typeof paymentWindowSchema>;
export type CalendarDay = z.infer<typeof calendarDaySchema>;
export interface CalendarMonth {
  loadedYears: number[];
  /** Opened by an operator from weekdays, before the calendar library knew the year. */
  provisionalYears: number[];
  days: CalendarDay[];
}
