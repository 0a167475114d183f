import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { Child, consentPurposeSchema, ParentLink, publicSchoolSchema } from '../../../../src/modules/identity/account.schemas.js';
import { useApi, useSession } from '../../../shared/session.js';

export type ConsentPurpose = z.infer<typeof consentPurposeSchema>;
export type PublicSchool = z.infer<typeof publicSchoolSchema>;

/**
 * GET /students/:id/consents. The server declares this shape inline in account.routes.ts, not in
 * account.schemas.ts, so it cannot be imported; keep it in step with the route.
 */
export interface ConsentList {
  needsGuardianConsent: boolean;
  consents: { id: string; purpose: string; parentId: string; grantedAt: string; revokedAt: string | null }[];
}

/** Everything about people is keyed by the token too: another sign-in never sees the last one's data. */
export function useChildren() {
  const api = useApi();
  const { token } = useSession();
  return useQuery({ queryKey: ['children', token], queryFn: ({ signal }) => api.get<Child[]>('/me/children', undefined, signal) });
}

export function useParents(studentId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({ queryKey: ['parents', studentId, token], queryFn: ({ signal }) => api.get<ParentLink[]>(`/students/${studentId}/parents`, undefined, signal) });
}

export function useConsents(studentId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({ queryKey: ['consents', studentId, token], queryFn: ({ signal }) => api.get<ConsentList>(`/students/${studentId}/consents`, undefined, signal) });
}

/** The card photo as a blob (the bearer token cannot ride on an <img src>); a 404 means none. */
export function usePhoto(studentId: string) {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: ['photo', studentId, token],
    // 204 (no photo yet) is an empty body: the placeholder is shown.
    queryFn: async ({ signal }) => {
      const blob = await api.getBlob(`/students/${studentId}/photo`, signal);
      return blob.size > 0 ? blob : null;
    },
    staleTime: 5 * 60_000,
  });
}

/** Public: the schools "find my education ID" offers, filtered by name on the server. */
export function useSchools(q: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['schools', q],
    queryFn: ({ signal }) => api.request<PublicSchool[]>('GET', '/schools', { query: { q }, auth: false, signal }),
    placeholderData: (previous) => previous,
  });
}

/** Marks a list stale after a change: `invalidate('children')`. */
export function useInvalidate() {
  const queryClient = useQueryClient();
  return (...keys: string[]) => Promise.all(keys.map((key) => queryClient.invalidateQueries({ queryKey: [key] })));
}
