import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../../shared/session.js';
import type { AdminOrderDetail } from './types.js';

export const orderKey = (orderId: string) => ['admin-order', orderId] as const;

/** One order with its attempts, notifications, refunds and ledger transactions. */
export function useOrder(orderId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: orderKey(orderId ?? ''),
    queryFn: ({ signal }) => api.get<AdminOrderDetail>(`/admin/orders/${orderId}`, undefined, signal),
    enabled: Boolean(orderId),
  });
}

/** After a refund: the order and the lists it appears in. */
export function useOrderChanged(orderId: string) {
  const queryClient = useQueryClient();
  return () => Promise.all([queryClient.invalidateQueries({ queryKey: orderKey(orderId) }), queryClient.invalidateQueries({ queryKey: ['/admin/orders'] })]);
}
