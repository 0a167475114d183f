import { formatYuan } from '../../../../src/domain/money.js';
import { fill, type Lang } from '../../../shared/i18n.js';
import type { PaymentText } from './messages.js';
import type { Gateway, Order, PaymentWindow } from './queries.js';

export { formatYuan };

/** The order's item and project names in the app's language: the server's English beside the official Chinese (a bill's own title has none). */
export function itemName(order: Pick<Order, 'item'>, lang: Lang): string {
  return lang === 'en' ? (order.item.nameEn ?? order.item.name) : order.item.name;
}
export function projectName(order: Pick<Order, 'item'>, lang: Lang): string | null {
  return lang === 'en' ? (order.item.projectNameEn ?? order.item.projectName) : order.item.projectName;
}

/** A signed amount as a ledger shows it: +¥50.00, -¥2.00. */
export function signedYuan(fen: number): string {
  return fen > 0 ? `+${formatYuan(fen)}` : formatYuan(fen);
}

/** What the order's status means to the payer; an unpaid order past its time limit reads as expired. */
export function statusLabel(t: PaymentText, order: Order): string {
  if (order.charging) return t.status_charging;
  if ((order.status === 'created' || order.status === 'paying') && !order.pending) return t.status_expired;
  return t[`status_${order.status}`];
}

export type StatusTone = 'warning' | 'success' | 'default' | 'danger';

export function statusTone(order: Order): StatusTone {
  if (order.pending || order.charging) return 'warning';
  if (order.status === 'paid' || order.status === 'fulfilled') return 'success';
  if (order.status === 'refunded') return 'danger';
  return 'default';
}

export function gatewayLabel(t: PaymentText, gateway: Gateway): string {
  return gateway === 'alipay' ? t.alipay : t.wechat;
}

export const isPaid = (order: Order) => order.status === 'paid' || order.status === 'fulfilled';
/** Closed for good: nothing more can be paid on it. */
export const isClosed = (order: Order) => !order.pending && !order.charging && !isPaid(order);

/** "每周一、二" / "Mondays, Tuesdays", from ISO weekday numbers (1 = Monday). */
export function weekdaysLabel(t: PaymentText, weekdays: readonly number[]): string {
  return weekdays
    .filter((day) => day >= 1 && day <= 7)
    .map((day) => t[`weekday_${day as 1 | 2 | 3 | 4 | 5 | 6 | 7}`])
    .join(t.weekdayJoin);
}

/** The next window as one line; a one-day window shows one date. */
export function nextWindowLabel(t: PaymentText, window: PaymentWindow): string {
  if (!window.next) return t.windowNone;
  const { startDate, endDate } = window.next;
  return startDate === endDate ? fill(t.windowNextOne, { start: startDate }) : fill(t.windowNext, { start: startDate, end: endDate });
}

/** `YYYY-MM-DD` in Beijing, `days` after the Beijing date of `iso`. */
export function beijingDatePlus(iso: string, days: number): string {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
