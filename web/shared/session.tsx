import { QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import type { LoginRequest, LoginResponse, MeResponse } from '../../src/modules/identity/identity.schemas.js';
import { ApiError, type ApiClient } from './api.js';

/**
 * What GET /me answers: the user as the apps show it (names and phones already masked), and which
 * sign-in the session came from (`loginKind`: a campus session changes the 6-digit query password).
 */
export type Me = MeResponse;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // A 4xx will not get better by asking again; network blips and 5xx might.
        retry: (failures, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failures < 2,
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
    },
  });
}

interface SessionState {
  api: ApiClient;
  token: string | null;
  signIn(request: LoginRequest): Promise<LoginResponse>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);
const meKey = (token: string | null) => ['me', token] as const;

export function SessionProvider({ api, children }: { api: ApiClient; children: ReactNode }) {
  const queryClient = useQueryClient();
  const token = useSyncExternalStore(api.tokens.subscribe, api.tokens.get);

  const signIn = useCallback(async (request: LoginRequest) => {
    const session = await api.post<LoginResponse>('/sessions', request, { auth: false });
    // The server would answer the same: a session's loginKind is the `as` it was signed in with.
    queryClient.setQueryData<Me>(meKey(session.token), { ...session.user, mustChangePassword: session.mustChangePassword, loginKind: request.as });
    api.tokens.set(session.token);
    return session;
  }, [api, queryClient]);

  const signOut = useCallback(async () => {
    try {
      await api.delete('/sessions/current');
    } catch {
      // Signing out locally matters more than telling the server: the token expires anyway.
    }
    api.tokens.set(null);
    queryClient.clear();
  }, [api, queryClient]);

  const value = useMemo(() => ({ api, token, signIn, signOut }), [api, token, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

export function useApi(): ApiClient {
  return useSession().api;
}

/** Asks the server for the signed-in user again (after a password change, say). */
export function useRefreshMe(): () => Promise<void> {
  const queryClient = useQueryClient();
  return useCallback(() => queryClient.invalidateQueries({ queryKey: ['me'] }), [queryClient]);
}

/** The signed-in user; only runs with a token. */
export function useMe() {
  const { api, token } = useSession();
  return useQuery({
    queryKey: meKey(token),
    queryFn: ({ signal }) => api.get<Me>('/me', undefined, signal),
    enabled: token !== null,
  });
}
