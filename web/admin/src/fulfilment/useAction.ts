import { useQueryClient } from '@tanstack/react-query';
import { App } from 'antd';
import { errorText, useLang } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';

/** A console action (POST with an Idempotency-Key) that refreshes every fulfilment list when done. */
export function useFulfilmentAction<T = unknown>(successText?: (result: T) => string) {
  const { mutate } = useAdminApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const { lang } = useLang();
  return useIdempotentMutation({
    mutationFn: ({ path, body, method }: { path: string; body?: unknown; method?: 'POST' | 'PUT' }, idempotencyKey) => mutate<T>(method ?? 'POST', path, body, idempotencyKey),
    onSuccess: async (result) => {
      if (successText) void message.success(successText(result));
      await client.invalidateQueries({ predicate: (q) => String(q.queryKey[0]).startsWith('/admin/fulfilment') });
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
}
