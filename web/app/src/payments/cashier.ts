import { useNavigate } from 'react-router';
import { useApi } from '../../../shared/session.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { moneyPaths } from './paths.js';
import type { Gateway, Order, PaymentLink } from './queries.js';

/**
 * Leaving for the gateway's cashier and coming back. The server is given the result page as the
 * return path, and hands it to both gateways (Alipay's return_url, WeChat Pay H5's redirect_url):
 * their 返回商户 leads to /pay/result?orderId=…. The page we leave from is first replaced by the
 * result page too, so the browser's back button from the cashier lands there as well.
 */

export const resultPath = moneyPaths.payResult;

export function goToCashier(link: PaymentLink): void {
  window.history.replaceState(null, '', resultPath(link.order.id));
  window.location.assign(link.cashierUrl);
}

const chosenKey = (orderId: string) => `onecard.gateway.${orderId}`;

/** The gateway last chosen for an order on this phone: the order page shows it again after a trip to the cashier. */
export function chosenGateway(orderId: string): Gateway | null {
  try {
    const value = window.sessionStorage.getItem(chosenKey(orderId));
    return value === 'alipay' || value === 'wechat' ? value : null;
  } catch {
    return null;
  }
}

function rememberGateway(orderId: string, gateway: Gateway): void {
  try {
    window.sessionStorage.setItem(chosenKey(orderId), gateway);
  } catch {
    // Private mode without storage: the order page starts from Alipay again.
  }
}

/** 支付 / 继续支付: asks the server for a cashier link (returning to the result page), then leaves for it. */
export function usePayOrder() {
  const api = useApi();
  return useIdempotentMutation({
    mutationFn: ({ orderId, gateway }: { orderId: string; gateway: Gateway }, idempotencyKey) => {
      rememberGateway(orderId, gateway);
      return api.post<PaymentLink>(`/orders/${orderId}/pay`, { gateway, returnPath: resultPath(orderId) }, { idempotencyKey });
    },
    // A full page load follows: nothing cached here survives, so there is nothing to invalidate.
    onSuccess: (link) => goToCashier(link),
  });
}

/**
 * Orders, then pays at the gateway's cashier: `path` is the order endpoint (a card top-up, a
 * network top-up). A refused order is reported by `onRefused`; when the order stands but the
 * cashier cannot be reached, `onRefused` reports that too and its page (继续支付, 取消订单) opens.
 */
export function useCheckout<Body>(path: string, onRefused: (error: unknown, stage: 'order' | 'pay') => void) {
  const api = useApi();
  const navigate = useNavigate();
  const pay = usePayOrder();
  const order = useIdempotentMutation({ mutationFn: (body: Body, idempotencyKey) => api.post<Order>(path, body, { idempotencyKey }) });
  const start = (body: Body, gateway: Gateway) =>
    order.mutate(body, {
      onError: (error) => onRefused(error, 'order'),
      onSuccess: (created) =>
        pay.mutate({ orderId: created.id, gateway }, {
          onError: (error) => {
            onRefused(error, 'pay');
            navigate(moneyPaths.order(created.id), { replace: true });
          },
        }),
    });
  return { start, isPending: order.isPending || pay.isPending };
}
