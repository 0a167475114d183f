import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { fareQuoteSchema } from '../../../../src/modules/transit/fares.schemas.js';
import type { TapFare } from '../../../../src/modules/transit/protocol.js';
import type { railMonthSchema, tripsSchema } from '../../../../src/modules/transit/transit.schemas.js';
import { useApi, useSession } from '../../../shared/session.js';

export type TripsPage = z.infer<typeof tripsSchema>;
export type Trip = TripsPage['items'][number];
export type RailMonth = z.infer<typeof railMonthSchema>;
export type FareQuote = z.infer<typeof fareQuoteSchema>;
export type { TapFare };

export const tripsPageSize = 20;

/**
 * The card's trips, newest first, a page at a time (paged by card counter: `before` = the last
 * page's nextBefore). The server gives nextBefore only when another page exists, so a null one
 * ends the list (hasNextPage false) without asking for an empty page.
 */
export function useTrips(cardId: string) {
  const api = useApi();
  const { token } = useSession();
  return useInfiniteQuery({
    queryKey: ['card-trips', cardId, token],
    initialPageParam: null as number | null,
    queryFn: ({ pageParam, signal }) => api.get<TripsPage>(`/cards/${cardId}/trips`, { limit: tripsPageSize, before: pageParam }, signal),
    getNextPageParam: (last) => last.nextBefore ?? undefined,
  });
}

/** This month's rail spend against the ¥100 / ¥150 / ¥400 tiers. */
export function useRailMonth(cardId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['card-rail-month', cardId, token],
    queryFn: ({ signal }) => api.get<RailMonth>(`/cards/${cardId}/rail-month`, undefined, signal),
  });
}

export interface FareQuestion {
  mode: 'bus' | 'rail';
  distanceKm: string;
  category: 'student' | 'ordinary' | 'cash';
  lineType?: 'ordinary' | 'tourist' | 'express' | 'customised';
  monthSpentFen?: number;
}

/** The public fare calculator (no login): asked once the form is submitted, `null` until then. */
export function useFareQuote(question: FareQuestion | null) {
  const api = useApi();
  return useQuery({
    queryKey: ['fare-quote', question],
    enabled: question !== null,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: ({ signal }) => {
      const q = question!;
      // Public: no token, so a stale one cannot turn a fare question into a 401.
      return api.request<FareQuote>('GET', '/fares/quote', {
        auth: false,
        signal,
        query: {
          mode: q.mode,
          distanceKm: q.distanceKm,
          category: q.category,
          lineType: q.mode === 'bus' ? q.lineType : undefined,
          monthSpentFen: q.mode === 'rail' && q.category !== 'cash' ? q.monthSpentFen : undefined,
        },
      });
    },
  });
}
