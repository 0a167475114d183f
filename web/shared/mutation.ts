import { useMutation, type UseMutationOptions, type UseMutationResult } from '@tanstack/react-query';
import { useRef } from 'react';
import { ApiError, newIdempotencyKey } from './api.js';

/**
 * The one way both apps send a mutation: a TanStack mutation whose function also gets an
 * Idempotency-Key for the server (`api.post(path, body, { idempotencyKey })`).
 *
 * One key per user action: the key is kept while the same action (the same variables) is
 * retried after a failure — a lost answer, a 5xx, "still in progress" — so the server replays
 * what it did instead of doing it twice; it is dropped once the action succeeds, and a new
 * action (other variables) gets a new key. A key the server has already stored for another
 * request (IDEMPOTENCY_KEY_REUSED, e.g. the same variables sent to another card's address)
 * means this request never ran: it is sent once more under a fresh key.
 *
 * `actionOf` names the action when the variables do not serialise to JSON (a File does not).
 */
export function useIdempotentMutation<TData = unknown, TVariables = void, TOnMutateResult = unknown>(
  options: Omit<UseMutationOptions<TData, Error, TVariables, TOnMutateResult>, 'mutationFn'> & {
    mutationFn: (variables: TVariables, idempotencyKey: string) => Promise<TData>;
    actionOf?: (variables: TVariables) => string;
  },
): UseMutationResult<TData, Error, TVariables, TOnMutateResult> {
  const { mutationFn, actionOf = (variables: TVariables) => JSON.stringify(variables ?? null), ...rest } = options;
  const pending = useRef<{ action: string; key: string } | null>(null);

  const keyFor = (action: string, fresh = false): string => {
    if (fresh || pending.current?.action !== action) pending.current = { action, key: newIdempotencyKey() };
    return pending.current.key;
  };
  const settle = (key: string) => {
    if (pending.current?.key === key) pending.current = null;
  };

  return useMutation({
    ...rest,
    mutationFn: async (variables: TVariables) => {
      const action = actionOf(variables);
      let key = keyFor(action);
      let result: TData;
      try {
        result = await mutationFn(variables, key);
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 'IDEMPOTENCY_KEY_REUSED')) throw error;
        key = keyFor(action, true);
        result = await mutationFn(variables, key);
      }
      settle(key);
      return result;
    },
  });
}
