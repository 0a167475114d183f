import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { shanghaiDate } from '../../../../src/domain/calendar.js';
import type { PaymentWindow } from '../../../../src/modules/calendar/calendar.routes.js';
import type {
  balanceRefundSchema, confirmationSchema, gatewaySchema, invoiceSchema, orderSchema, orderStatusSchema, paymentLinkSchema, topUpOptionsSchema,
} from '../../../../src/modules/payments/payments.schemas.js';
import { ApiError } from '../../../shared/api.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import type { PageOf } from '../../../shared/paging.js';
import { useApi, useSession } from '../../../shared/session.js';

export type Order = z.infer<typeof orderSchema>;
export type OrderStatus = z.infer<typeof orderStatusSchema>;
export type Gateway = z.infer<typeof gatewaySchema>;
export type Confirmation = z.infer<typeof confirmationSchema>;
export type PaymentLink = z.infer<typeof paymentLinkSchema>;
export type Invoice = z.infer<typeof invoiceSchema>;
export type TopUpOptions = z.infer<typeof topUpOptionsSchema>;
export type BalanceRefund = z.infer<typeof balanceRefundSchema>;
export type { PaymentWindow };

/** The order list's tabs; each but "all" is one of the server's order groups (one query). */
export const orderTabs = ['all', 'pending', 'paid', 'closed'] as const;
export type OrderTab = (typeof orderTabs)[number];

/** The largest page the server serves. */
const maxPageSize = 200;

export interface OrderListing {
  items: Order[];
  total: number;
}

/**
 * The first `count` orders of a tab, pending ones first then newest first. The server groups
 * the statuses of a tab itself (`group=pending|paid|closed`; an unpaid order past its time limit
 * counts as closed), so every tab is one request.
 */
export function useOrderListing(tab: OrderTab, count: number) {
  const api = useApi();
  const { token } = useSession();
  const pageSize = Math.min(count, maxPageSize);
  return useQuery({
    queryKey: ['orders', 'list', tab, pageSize, token],
    queryFn: async ({ signal }): Promise<OrderListing> => {
      const page = await api.get<PageOf<Order>>('/orders', { page: 1, pageSize, group: tab === 'all' ? undefined : tab }, signal);
      return { items: page.items, total: page.total };
    },
    placeholderData: (previous, query) => (query?.queryKey[2] === tab ? previous : undefined),
  });
}

/** One order; `refetchInterval` may look at the order last read (to stop polling once it is settled). */
export function useOrder(orderId: string | undefined, options: { refetchInterval?: (order: Order | undefined) => number | false } = {}) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['orders', 'one', orderId, token],
    queryFn: ({ signal }) => api.get<Order>(`/orders/${orderId}`, undefined, signal),
    enabled: Boolean(orderId),
    refetchInterval: (query) => options.refetchInterval?.(query.state.data) ?? false,
  });
}

/** Public: whether fees can be paid today and when the next window opens. */
export function usePaymentWindow() {
  const api = useApi();
  return useQuery({
    queryKey: ['payment-window'],
    queryFn: ({ signal }) => api.request<PaymentWindow>('GET', '/payment-window', { auth: false, signal }),
    staleTime: 5 * 60_000,
  });
}

/**
 * Today in Beijing by the server's clock (the payment window's `today`), which decides what the
 * server accepts today; the browser's Beijing date if the server cannot say.
 */
export function useServerToday(): string | undefined {
  const window = usePaymentWindow();
  if (window.isError) return shanghaiDate(new Date());
  return window.data?.today;
}

export function useTopUpOptions() {
  const api = useApi();
  return useQuery({
    queryKey: ['payment-options'],
    queryFn: ({ signal }) => api.request<TopUpOptions>('GET', '/payments/options', { auth: false, signal }),
    staleTime: 10 * 60_000,
  });
}

/** The top-up's invoice, or null while none is issued (the server answers 404 INVOICE_NOT_FOUND). */
export function useInvoice(orderId: string, enabled: boolean) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['orders', 'invoice', orderId, token],
    queryFn: async ({ signal }) => {
      try {
        return await api.get<Invoice>(`/orders/${orderId}/invoice`, undefined, signal);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'INVOICE_NOT_FOUND') return null;
        throw error;
      }
    },
    enabled,
  });
}

/** After money moved: orders, cards (balances) and transactions are all stale. */
export function invalidateMoney(queryClient: QueryClient): Promise<unknown> {
  return Promise.all(['orders', 'cards', 'card-transactions'].map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
}

/** Puts a fresh copy of an order into the cache, so every screen showing it agrees at once. */
export function useStoreOrder() {
  const queryClient = useQueryClient();
  const { token } = useSession();
  return (order: Order) => queryClient.setQueryData(['orders', 'one', order.id, token], order);
}

export function useCancelOrder(orderId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const store = useStoreOrder();
  return useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post<Order>(`/orders/${orderId}/cancel`, undefined, { idempotencyKey }),
    onSuccess: async (order) => {
      store(order);
      await queryClient.invalidateQueries({ queryKey: ['orders', 'list'] });
    },
  });
}

/** 已完成支付: the server asks the gateways; the answer says whether the order is now paid. */
export function useConfirmOrder(orderId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  const store = useStoreOrder();
  return useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post<Confirmation>(`/orders/${orderId}/confirm`, undefined, { idempotencyKey }),
    onSuccess: async (confirmation) => {
      store(confirmation.order);
      if (confirmation.confirmed) await invalidateMoney(queryClient);
    },
  });
}

/** 退资记录: the card's balance refunds (after a return), newest first. */
export function useCardBalanceRefunds(cardId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['cards', 'balance-refunds', cardId, token], // under 'cards': a return refreshes it
    queryFn: async ({ signal }) => (await api.get<{ items: BalanceRefund[] }>('/balance-refunds', { cardId }, signal)).items,
  });
}
