import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../../shared/session.js';
import type { RosterImport } from '../types.js';

const pollMs = 600;

/** One import; polled while it runs, left alone once it is done or failed. */
export function useRosterImport(importId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['roster-import', importId],
    queryFn: ({ signal }) => api.get<RosterImport>(`/admin/roster-imports/${importId}`, undefined, signal),
    refetchInterval: (query) => (query.state.data?.status === 'running' ? pollMs : false),
  });
}
