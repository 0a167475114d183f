/** The notice screens' addresses. */
export const noticePaths = {
  list: '/notices',
  notice: (noticeId: string) => `/notices/${noticeId}`,
} as const;
