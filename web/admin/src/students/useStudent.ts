import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../../../shared/session.js';
import type { StudentDetail } from '../types.js';

export const studentKey = (studentId: string) => ['student', studentId] as const;

/** One student as the console sees them: masked, with parents and the last 50 history entries. */
export function useStudent(studentId: string) {
  const api = useApi();
  return useQuery({
    queryKey: studentKey(studentId),
    queryFn: ({ signal }) => api.get<StudentDetail>(`/admin/students/${studentId}`, undefined, signal),
  });
}

/** After a change: the detail (and its history), the lists it appears in, and class head counts. */
export function useStudentChanged(studentId: string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: studentKey(studentId) }),
      queryClient.invalidateQueries({ queryKey: ['/admin/students'] }),
      queryClient.invalidateQueries({ queryKey: ['classes'] }),
    ]);
}
