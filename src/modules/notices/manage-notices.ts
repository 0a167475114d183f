import { nextNoticeStatus, type NoticeEvent } from '../../domain/notices.js';
import { mayAccessSchool } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import './notices.errors.js';
import { noticesRepository as repo, type ConsoleScope, type NoticeRow } from './notices.repository.js';
import type { AdminNoticeDto, AdminNoticeQuery, CreateNoticeInput, EditNoticeInput } from './notices.schemas.js';
import type { NoticeWriterRole } from './notices.tables.js';

const adminView = (row: NoticeRow & { school_name: string | null; read_count: number }): AdminNoticeDto => ({
  id: row.id, schoolId: row.school_id, schoolName: row.school_name, audience: row.audience, title: row.title, body: row.body, pinned: row.pinned, status: row.status,
  publishedAt: row.published_at?.toISOString() ?? null, withdrawnAt: row.withdrawn_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(), readCount: row.read_count,
});

function writerOf(caller: Caller): { role: NoticeWriterRole; id: string } {
  if (caller.role === 'operator') return { role: 'operator', id: caller.subjectId };
  if (caller.role === 'school_admin' && caller.schoolId) return { role: 'school_admin', id: caller.subjectId };
  throw fail('FORBIDDEN', { requiredRoles: ['operator', 'school_admin'] });
}

/** What a notice says in the audit log. */
const auditShape = (row: Pick<NoticeRow, 'school_id' | 'audience' | 'title' | 'body' | 'pinned' | 'status'>) =>
  ({ schoolId: row.school_id, audience: row.audience, title: row.title, body: row.body, pinned: row.pinned, status: row.status });

/**
 * The console's notices: an operator's all, narrowed by each filter given — one school's
 * (`schoolId`), the city-wide ones (`scope=city`), every school's (`scope=school`); a card
 * manager's always their own school's. The filters combine as they say: a school's and city-wide
 * together is an empty list (a city-wide notice has no school), never the school's notices, and a
 * card manager asking for the city-wide ones gets none, as they are not in their list.
 */
export async function consoleNotices(ctx: AppContext, caller: Caller, query: { [K in 'schoolId' | 'scope' | 'status']?: AdminNoticeQuery[K] | undefined }, page: PageQuery) {
  writerOf(caller);
  const scope: ConsoleScope = { schoolId: caller.role === 'operator' ? query.schoolId : caller.schoolId!, scope: query.scope };
  const { rows, total } = await repo.consolePage(ctx.db, scope, query.status, page.pageSize, offsetOf(page));
  return { items: rows.map(adminView), total, page: page.page, pageSize: page.pageSize };
}

/**
 * A new notice, as a draft or published at once: to one school (a card manager's own, which is
 * also the default for them) or to the whole city for an audience (operators only).
 */
export async function createNotice(ctx: AppContext, caller: Caller, input: CreateNoticeInput, requestId: string): Promise<AdminNoticeDto> {
  const writer = writerOf(caller);
  const audience = input.audience ?? null;
  let schoolId = input.schoolId ?? null;
  if (schoolId !== null && audience !== null) throw fail('NOTICE_SCOPE_INVALID');
  if (caller.role === 'school_admin') {
    if (audience !== null) throw fail('NOTICE_CITY_WIDE_OPERATORS_ONLY');
    schoolId ??= caller.schoolId;
    if (!schoolId || !mayAccessSchool(caller, schoolId)) throw fail('ACCESS_DENIED', { schoolId });
  } else if (schoolId === null && audience === null) {
    throw fail('NOTICE_SCOPE_INVALID');
  }
  const now = ctx.clock.now();
  const row = {
    id: newId(), school_id: schoolId, audience, title: input.title, body: input.body, pinned: input.pinned,
    status: input.publish ? 'published' as const : 'draft' as const, published_at: input.publish ? now : null, withdrawn_at: null,
    created_by_role: writer.role, created_by_id: writer.id, updated_by_role: writer.role, updated_by_id: writer.id, created_at: now, updated_at: now,
  };
  return inTransaction(ctx.db, async (tx) => {
    if (schoolId !== null && !(await repo.schoolExists(tx, schoolId))) throw fail('NOTICE_SCHOOL_UNKNOWN', { schoolId });
    await repo.insertNotice(tx, row);
    const actor = { role: caller.role, id: caller.subjectId };
    await recordAudit(tx, ctx.clock, { actor, action: 'notice.created', entityType: 'notice', entityId: row.id, after: auditShape(row), requestId });
    if (input.publish) await recordAudit(tx, ctx.clock, { actor, action: 'notice.published', entityType: 'notice', entityId: row.id, before: { status: 'draft' }, after: { status: 'published' }, requestId });
    return adminView(await repo.consoleNotice(tx, row.id));
  });
}

/**
 * The notice, locked, if the caller may write it: an operator any; a card manager only their own
 * school's (any other, a city-wide one too, is NOTICE_NOT_FOUND to them, as in their list).
 */
async function lockWritable(tx: Tx, caller: Caller, noticeId: string): Promise<NoticeRow> {
  writerOf(caller);
  const row = await repo.lockNotice(tx, noticeId);
  if (!row || (caller.role !== 'operator' && (row.school_id === null || !mayAccessSchool(caller, row.school_id)))) throw fail('NOTICE_NOT_FOUND', { noticeId });
  return row;
}

/** Corrects a draft's or a published notice's title, body and pinning; a withdrawn one is final (NOTICE_WITHDRAWN). */
export async function editNotice(ctx: AppContext, caller: Caller, noticeId: string, input: EditNoticeInput, requestId: string): Promise<AdminNoticeDto> {
  const writer = writerOf(caller);
  return inTransaction(ctx.db, async (tx) => {
    const row = await lockWritable(tx, caller, noticeId);
    nextNoticeStatus(row.status, 'edit');
    const set = { title: input.title, body: input.body, pinned: input.pinned, updated_by_role: writer.role, updated_by_id: writer.id, updated_at: ctx.clock.now() };
    await repo.updateNotice(tx, noticeId, set);
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'notice.edited', entityType: 'notice', entityId: noticeId, before: auditShape(row), after: auditShape({ ...row, ...set }), requestId });
    return adminView(await repo.consoleNotice(tx, noticeId));
  });
}

/** Publishes a draft (students and parents see it from now) or withdraws a published notice (they no longer do). */
export async function moveNotice(ctx: AppContext, caller: Caller, noticeId: string, event: Exclude<NoticeEvent, 'edit'>, requestId: string): Promise<AdminNoticeDto> {
  const writer = writerOf(caller);
  return inTransaction(ctx.db, async (tx) => {
    const row = await lockWritable(tx, caller, noticeId);
    const status = nextNoticeStatus(row.status, event);
    const now = ctx.clock.now();
    await repo.updateNotice(tx, noticeId, {
      status, updated_by_role: writer.role, updated_by_id: writer.id, updated_at: now,
      ...(event === 'publish' ? { published_at: now } : { withdrawn_at: now }),
    });
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: event === 'publish' ? 'notice.published' : 'notice.withdrawn', entityType: 'notice', entityId: noticeId, before: { status: row.status }, after: { status }, requestId });
    return adminView(await repo.consoleNotice(tx, noticeId));
  });
}
