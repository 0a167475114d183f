import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { errorText, useLang } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';

/**
 * A console action (POST with an Idempotency-Key) that refreshes every fulfilment list when done.
 * A refusal is a toast, unless `onError` shows it where the action was taken (a modal's form);
 * the lists are refreshed then too, since a refusal usually means someone else acted first.
 */
export function useFulfilmentAction<T = unknown>(successText?: (result: T) => string, onError?: (error: Error) => void) {
  const { mutate } = useAdminApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const { lang } = useLang();
  const refreshLists = () => client.invalidateQueries({ predicate: (q) => String(q.queryKey[0]).startsWith('/admin/fulfilment') });
  return useIdempotentMutation({
    mutationFn: ({ path, body, method }: { path: string; body?: unknown; method?: 'POST' | 'PUT' }, idempotencyKey) => mutate<T>(method ?? 'POST', path, body, idempotencyKey),
    onSuccess: async (result) => {
      if (successText) void message.success(successText(result));
      await refreshLists();
    },
    onError: (error) => {
      if (!onError) return void message.error(errorText(error, lang));
      onError(error);
      void refreshLists();
    },
  });
}
