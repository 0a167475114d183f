import type { z } from 'zod';
import type { adminNoticeSchema, createNoticeSchema, editNoticeSchema } from '../../../../src/modules/notices/notices.schemas.js';

export type AdminNotice = z.infer<typeof adminNoticeSchema>;
export type CreateNoticeRequest = z.input<typeof createNoticeSchema>;
export type EditNoticeRequest = z.input<typeof editNoticeSchema>;
export const noticesPath = '/admin/notices';
