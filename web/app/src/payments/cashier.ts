import { useMutation } from '@tanstack/react-query';
import { useApi } from '../../../shared/session.js';
import { moneyPaths } from './paths.js';
import type { Gateway, PaymentLink } from './queries.js';

/**
 * Leaving for the gateway's cashier and coming back. The server gives Alipay `/orders/:id` as the
 * return address (with Alipay's own query parameters added); WeChat Pay H5 takes `redirect_url`
 * appended by the merchant, and the sandbox's WeChat cashier offers no way back at all, so the
 * page we leave from is first replaced by the result page: the browser's back button lands there.
 */

const storageKey = 'onecard.app.cashier';

export const resultPath = moneyPaths.payResult;

/** The cashier link to open: WeChat Pay H5 returns to `redirect_url`. */
export function cashierHref(link: PaymentLink, origin: string): string {
  if (link.gateway !== 'wechat') return link.cashierUrl;
  const url = new URL(link.cashierUrl, origin);
  url.searchParams.set('redirect_url', `${origin}${resultPath(link.order.id)}`);
  return url.toString();
}

export function goToCashier(link: PaymentLink): void {
  try {
    sessionStorage.setItem(storageKey, link.order.id);
  } catch {
    // Private mode without storage: the result page is still where back leads.
  }
  window.history.replaceState(null, '', resultPath(link.order.id));
  window.location.assign(cashierHref(link, window.location.origin));
}

/**
 * True when this page load is the gateway sending the payer back for `orderId`: we sent them
 * to its cashier in this tab, or the address carries Alipay's return parameters.
 */
export function isCashierReturn(orderId: string, search: URLSearchParams): boolean {
  if (search.has('out_trade_no') || (search.get('method') ?? '').endsWith('.return')) return true;
  try {
    return sessionStorage.getItem(storageKey) === orderId;
  } catch {
    return false;
  }
}

/** The result page has taken over: a later visit to the order is an ordinary visit. */
export function forgetCashierReturn(): void {
  try {
    sessionStorage.removeItem(storageKey);
  } catch {
    // Nothing stored.
  }
}

/** 支付 / 继续支付: asks the server for a cashier link, then leaves for it. */
export function usePayOrder() {
  const api = useApi();
  return useMutation({
    mutationFn: ({ orderId, gateway }: { orderId: string; gateway: Gateway }) => api.post<PaymentLink>(`/orders/${orderId}/pay`, { gateway }),
    // A full page load follows: nothing cached here survives, so there is nothing to invalidate.
    onSuccess: (link) => goToCashier(link),
  });
}
