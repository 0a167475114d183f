import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Child } from '../../../../src/modules/identity/account.schemas.js';
import type { cardHistorySchema, cardListSchema, cardSchema, publicCardStatusSchema } from '../../../../src/modules/cards/cards.schemas.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';

export type Card = z.infer<typeof cardSchema>;
export type CardEvent = Card['allowedEvents'][number];
export type CardStatus = Card['status'];
export type CardProduct = Card['product'];
export type CardHistory = z.infer<typeof cardHistorySchema>['items'];
export type PublicCardStatus = z.infer<typeof publicCardStatusSchema>;

/*
 * Query keys start with 'cards' (as the money screens' do), so one invalidation after a change
 * refreshes the card tab, the card page and the top-up screens alike.
 */

/** The caller's cards: a student's own, a parent's children's. */
export function useCards() {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['cards', 'list', token],
    queryFn: async ({ signal }) => (await api.get<z.infer<typeof cardListSchema>>('/cards', undefined, signal)).items,
  });
}

export function useCard(cardId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['cards', 'one', cardId, token],
    queryFn: ({ signal }) => api.get<Card>(`/cards/${cardId}`, undefined, signal),
  });
}

/** The card's status changes, shown newest first. */
export function useCardHistory(cardId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['cards', 'history', cardId, token],
    queryFn: async ({ signal }) => (await api.get<z.infer<typeof cardHistorySchema>>(`/cards/${cardId}/history`, undefined, signal)).items.slice().reverse(),
  });
}

export type CardAction = 'loss' | 'unloss' | 'activate';

/** 挂失 / 解挂 / 激活: the server answers with the changed card; everything about cards is read afresh. */
export function useCardAction(cardId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useIdempotentMutation({
    mutationFn: (action: CardAction, idempotencyKey) => api.post<Card>(`/cards/${cardId}/${action}`, undefined, { idempotencyKey }),
    onSuccess: async (card) => {
      queryClient.setQueryData(['cards', 'one', cardId, api.tokens.get()], card);
      await queryClient.invalidateQueries({ queryKey: ['cards'] });
    },
  });
}

/** 学生卡查询 without signing in: a bad number is the server's 400, shown as it says. */
export function useCardStatusQuery() {
  const api = useApi();
  return useMutation({
    mutationFn: (cardNo: string) => api.request<PublicCardStatus>('GET', `/cards/${encodeURIComponent(cardNo)}/status`, { auth: false }),
  });
}

/** Everything card-related is stale after a change elsewhere (an application, a return). */
export function useInvalidateCards() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['cards'] });
}

/** A parent's bound children (same cache entry as the account screens'); not asked for anyone else. */
export function useParentChildren(enabled: boolean) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['children', token],
    queryFn: ({ signal }) => api.get<Child[]>('/me/children', undefined, signal),
    enabled,
  });
}
