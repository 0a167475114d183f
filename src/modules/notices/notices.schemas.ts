import { z } from 'zod';
import { noticeAudiences, noticeBodyMax, noticeStatuses, noticeTitleMax } from '../../domain/notices.js';
import { controlCharacter } from '../../platform/text.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';

/**
 * 消息公告 (seeds 001, 004):
 *   GET  /notices?page&pageSize                 → noticeListSchema (a student's or parent's published notices, pinned first, with unreadCount)
 *   GET  /notices/:noticeId                     → noticeDetailSchema (one of them; records the reading)
 *   GET  /admin/notices?schoolId&scope&status&page&pageSize → page of adminNoticeSchema (operators: all; a card manager: their school's)
 *   POST /admin/notices  createNoticeSchema     → 201 adminNoticeSchema (a draft, or published at once)
 *   PUT  /admin/notices/:noticeId editNoticeSchema → adminNoticeSchema (title, body, pinned; not once withdrawn)
 *   POST /admin/notices/:noticeId/publish       → adminNoticeSchema
 *   POST /admin/notices/:noticeId/withdraw      → adminNoticeSchema
 */

export const noticeAudienceSchema = z.enum(noticeAudiences);
export const noticeStatusSchema = z.enum(noticeStatuses);

/** One line, no control characters. */
const noticeTitle = z.string().trim().min(1).max(noticeTitleMax).refine((s) => !controlCharacter.test(s), 'no control characters');
/** Plain text, paragraphs by newline (CRLF taken as one); no control characters but newline and tab. */
const noticeBody = z.string()
  .overwrite((s) => s.replace(/\r\n?/g, '\n'))
  .trim()
  .min(1)
  .max(noticeBodyMax)
  .refine((s) => !controlCharacter.test(s.replace(/[\n\t]/g, '')), 'no control characters but newline and tab');

export const noticeSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  /** The start of the body, one line. */
  excerpt: z.string(),
  pinned: z.boolean(),
  /** True for the card centre's city-wide notices; false for a school's. */
  cityWide: z.boolean(),
  /** The school's name, or 北京市学生卡管理中心 for a city-wide notice. */
  issuerName: z.string(),
  publishedAt: z.string(),
  /**
   * False while it is unread for this student or parent: not opened, and published since their
   * account was made (or pinned). A notice from before the account, not pinned, is not news to them.
   */
  read: z.boolean(),
});
export const noticeListSchema = pageSchema(noticeSummarySchema).extend({
  /** Published notices still unread for the caller (all pages): the items with `read: false`. */
  unreadCount: z.number().int(),
});
export const noticeDetailSchema = noticeSummarySchema.extend({ body: z.string() });
export const noticeParams = z.object({ noticeId: z.uuid() });

export const adminNoticeSchema = z.object({
  id: z.string(),
  /** null: the card centre's, for the whole city. */
  schoolId: z.string().nullable(),
  schoolName: z.string().nullable(),
  /** Who a city-wide notice is for; null for a school's. */
  audience: noticeAudienceSchema.nullable(),
  title: z.string(),
  body: z.string(),
  pinned: z.boolean(),
  status: noticeStatusSchema,
  publishedAt: z.string().nullable(),
  withdrawnAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Students and parents who have opened it. */
  readCount: z.number().int(),
});
/** An operator narrows to one school or to city-wide notices; a card manager always sees their school's. */
export const adminNoticeQuerySchema = pageQuerySchema.extend({
  schoolId: z.uuid().optional(),
  scope: z.enum(['city', 'school']).optional(),
  status: noticeStatusSchema.optional(),
});
/**
 * A new notice: to one school (`schoolId`; a card manager's own when left out) or to the whole
 * city (`audience`, operators only), never both.
 */
export const createNoticeSchema = z.object({
  schoolId: z.uuid().nullable().optional(),
  audience: noticeAudienceSchema.nullable().optional(),
  title: noticeTitle,
  body: noticeBody,
  pinned: z.boolean().default(false),
  /** Publish at once rather than keep it as a draft. */
  publish: z.boolean().default(false),
});
export const editNoticeSchema = z.object({ title: noticeTitle, body: noticeBody, pinned: z.boolean() });

export type NoticeSummaryDto = z.infer<typeof noticeSummarySchema>;
export type NoticeDetailDto = z.infer<typeof noticeDetailSchema>;
export type AdminNoticeDto = z.infer<typeof adminNoticeSchema>;
export type CreateNoticeInput = z.infer<typeof createNoticeSchema>;
export type EditNoticeInput = z.infer<typeof editNoticeSchema>;
export type AdminNoticeQuery = z.infer<typeof adminNoticeQuerySchema>;
