import { useInfiniteQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { cardTransactionPageSchema, cardTransactionsQuerySchema } from '../../../../src/modules/cards/cards.schemas.js';
import { useApi, useSession } from '../../../shared/session.js';
import type { Card } from '../cards/queries.js';

/* The money screens' card reads; the cards themselves (`useCards`, `useCard`, `Card`) are the card screens' (cards/queries.ts). */

export type CardTransactionPage = z.infer<typeof cardTransactionPageSchema>;
export type CardTransaction = CardTransactionPage['items'][number];
export type TransactionType = NonNullable<z.infer<typeof cardTransactionsQuerySchema>['type']>;
export type TopUpBlockedReason = NonNullable<Card['topUpBlockedReason']>;

export const transactionTypes: readonly TransactionType[] = ['top_up', 'fare', 'purchase', 'fee', 'refund', 'transfer', 'adjustment', 'reversal'];

/** `YYYY-MM` → the Beijing month as [from, to) instants, the way the statement filters. */
export function monthRange(month: string): { from: string; to: string } {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
  return { from: `${month}-01T00:00:00+08:00`, to: `${next}-01T00:00:00+08:00` };
}

export const transactionPageSize = 20;

/** The card's transactions, newest first, a page at a time, filtered by type and Beijing month. */
export function useCardTransactions(cardId: string, filter: { type: TransactionType | null; month: string | null }) {
  const api = useApi();
  const { token } = useSession();
  return useInfiniteQuery({
    queryKey: ['card-transactions', cardId, filter.type, filter.month, token],
    initialPageParam: 1,
    queryFn: ({ pageParam, signal }) =>
      api.get<CardTransactionPage>(`/cards/${cardId}/transactions`, { page: pageParam, pageSize: transactionPageSize, type: filter.type, ...(filter.month ? monthRange(filter.month) : {}) }, signal),
    getNextPageParam: (last) => (last.page * last.pageSize < last.total ? last.page + 1 : undefined),
  });
}
