import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { ExtendResultDto, ExtensionCheckDto, ReturnQuoteDto, ReturnResultDto } from '../../../../src/modules/card-services/card-services.schemas.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';

export type { ExtendResultDto, ExtensionCheckDto, ReturnQuoteDto, ReturnResultDto };

/* Helper G's card-services API (src/modules/card-services): the K-12 yearly extension and 退卡. */

/** The status check before extending, as one query (the home page asks it of several cards at once). */
export function extensionCheckQuery(api: ReturnType<typeof useApi>, token: string | null, cardId: string) {
  return {
    queryKey: ['cards', 'extension', cardId, token],
    queryFn: ({ signal }: { signal: AbortSignal }) => api.get<ExtensionCheckDto>(`/cards/${cardId}/extension`, undefined, signal),
  };
}

/** The status check before extending: "卡正常状态", this year's window, the new valid-until date. */
export function useExtensionCheck(cardId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery(extensionCheckQuery(api, token, cardId));
}

export function useExtendCard(cardId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post<ExtendResultDto>(`/cards/${cardId}/extend`, undefined, { idempotencyKey }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['cards'] }),
  });
}

/** May the card be returned, and where its balance would go (≤ ¥200 in the app, above at an outlet). */
export function useReturnQuote(cardId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['cards', 'return', cardId, token],
    queryFn: ({ signal }) => api.get<ReturnQuoteDto>(`/cards/${cardId}/return`, undefined, signal),
  });
}

export function useReturnCard(cardId: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post<ReturnResultDto>(`/cards/${cardId}/return`, undefined, { idempotencyKey }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['cards'] }),
  });
}
