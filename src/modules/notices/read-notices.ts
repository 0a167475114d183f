import { audiencesReaching, cardCentreName, noticeExcerpt } from '../../domain/notices.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import './notices.errors.js';
import { noticesRepository as repo, type NoticeRow, type Reader, type ReaderScope } from './notices.repository.js';
import type { NoticeDetailDto, NoticeSummaryDto } from './notices.schemas.js';

type ReaderRow = NoticeRow & { school_name: string | null };

const summaryView = (row: ReaderRow, read: boolean): NoticeSummaryDto => ({
  id: row.id, title: row.title, excerpt: noticeExcerpt(row.body), pinned: row.pinned,
  cityWide: row.school_id === null, issuerName: row.school_name ?? cardCentreName.zh,
  // Only published notices reach readers, and those have a publication time.
  publishedAt: (row.published_at ?? row.updated_at).toISOString(), read,
});

function readerOf(caller: Caller): Reader {
  if (caller.role !== 'student' && caller.role !== 'parent') throw fail('FORBIDDEN', { requiredRoles: ['student', 'parent'] });
  return { role: caller.role, id: caller.subjectId };
}

/**
 * What a reader may read: a student their school's notices and the city-wide ones for everyone
 * and for their stage (K-12 or university); a parent those of every bound child's school and the
 * city-wide ones reaching any child.
 */
async function scopeOf(db: DbOrTx, reader: Reader): Promise<ReaderScope> {
  const schools = await repo.readerSchools(db, reader);
  return {
    schoolIds: [...new Set(schools.map((s) => s.school_id))], audiences: audiencesReaching(schools.map((s) => s.stage)),
    ...(reader.role === 'student' ? { studentId: reader.id } : {}),
  };
}

/**
 * 消息公告: the caller's published notices, pinned first then newest, with how many are unread for
 * them: not opened, and published since their account was made, or pinned (docs/decisions/0009).
 * A notice older than the account and not pinned is listed without the unread mark.
 */
export async function myNotices(ctx: AppContext, caller: Caller, page: PageQuery) {
  const reader = readerOf(caller);
  const [scope, since] = await Promise.all([scopeOf(ctx.db, reader), repo.readerSince(ctx.db, reader)]);
  const { rows, total, unread } = await repo.readerPage(ctx.db, scope, reader, since, page.pageSize, offsetOf(page));
  return { items: rows.map((r) => summaryView(r, !r.unread)), total, page: page.page, pageSize: page.pageSize, unreadCount: unread };
}

/**
 * One notice the caller may read, which marks it read (once: opening it again changes nothing).
 * Any other id is NOTICE_NOT_FOUND, whether it exists or not.
 */
export async function readNotice(ctx: AppContext, caller: Caller, noticeId: string): Promise<NoticeDetailDto> {
  const reader = readerOf(caller);
  const row = await repo.readerNotice(ctx.db, await scopeOf(ctx.db, reader), noticeId);
  if (!row) throw fail('NOTICE_NOT_FOUND', { noticeId });
  await repo.markRead(ctx.db, row.id, reader, ctx.clock.now());
  return { ...summaryView(row, true), body: row.body };
}

/** The notices the caller has opened and when (first time), for their data export (导出我的数据). */
export async function myNoticeReads(ctx: AppContext, caller: Caller): Promise<{ noticeId: string; title: string; readAt: string }[]> {
  return (await repo.readsOf(ctx.db, readerOf(caller))).map((r) => ({ noticeId: r.notice_id, title: r.title, readAt: r.read_at.toISOString() }));
}
