import { useInfiniteQuery, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import type { noticeDetailSchema, noticeListSchema } from '../../../../src/modules/notices/notices.schemas.js';
import { useApi, useSession } from '../../../shared/session.js';

export type NoticePage = z.infer<typeof noticeListSchema>;
export type NoticeSummary = NoticePage['items'][number];
export type NoticeDetail = z.infer<typeof noticeDetailSchema>;

/** Every notice query starts with this: reading one refreshes the list and the home page's badge. */
const noticesKey = ['notices'] as const;
export const noticePageSize = 20;

/** The signed-in reader's notices, pinned first then newest, a page at a time. */
export function useNotices() {
  const api = useApi();
  const { token } = useSession();
  return useInfiniteQuery({
    queryKey: [...noticesKey, 'list', token],
    initialPageParam: 1,
    queryFn: ({ pageParam, signal }) => api.get<NoticePage>('/notices', { page: pageParam, pageSize: noticePageSize }, signal),
    getNextPageParam: (last) => (last.page * last.pageSize < last.total ? last.page + 1 : undefined),
  });
}

/** How many published notices the reader has not opened (the home page's badge). */
export function useUnreadNotices() {
  const api = useApi();
  const { token } = useSession();
  return useQuery({
    queryKey: [...noticesKey, 'unread', token],
    queryFn: async ({ signal }) => (await api.get<NoticePage>('/notices', { page: 1, pageSize: 1 }, signal)).unreadCount,
  });
}

/** One notice; fetching it marks it read on the server, so the list and the badge are refreshed after. */
export function useNotice(noticeId: string) {
  const api = useApi();
  const { token } = useSession();
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: ['notice', noticeId, token],
    queryFn: async ({ signal }) => {
      const notice = await api.get<NoticeDetail>(`/notices/${noticeId}`, undefined, signal);
      void queryClient.invalidateQueries({ queryKey: noticesKey });
      return notice;
    },
  });
}
