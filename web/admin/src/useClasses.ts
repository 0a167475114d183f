import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../shared/session.js';
import type { ClassRow } from './types.js';

export const classesKey = (schoolId: string | undefined) => ['classes', schoolId] as const;

/** A school's classes (a handful per grade: the whole list, no paging). */
export function useClasses(schoolId: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: classesKey(schoolId),
    queryFn: ({ signal }) => api.get<ClassRow[]>(`/admin/schools/${schoolId}/classes`, undefined, signal),
    enabled: schoolId !== undefined,
  });
}
