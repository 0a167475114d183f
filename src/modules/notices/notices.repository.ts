import { sql, type ExpressionBuilder, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { NoticeAudience, NoticeStatus } from '../../domain/notices.js';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import type { Database, SchoolStage } from '../../platform/db/schema.js';
import type { NoticesTable } from './notices.tables.js';

export type NoticeRow = Selectable<NoticesTable>;
export type Reader = { role: 'student' | 'parent'; id: string };
/** What a student or parent may read: their schools' notices and city-wide ones for these audiences. */
export interface ReaderScope {
  schoolIds: string[];
  audiences: NoticeAudience[];
  /** A student reads the notices written to them alone (migration 0059). */
  studentId?: string;
}
/**
 * Which notices a console list shows. Each filter narrows the list, as every other filter of the
 * console does: `schoolId` to that school's; `scope` to the city-wide ones (`city`) or to schools'
 * (`school`). Both together are what they say: one school's and city-wide is nothing.
 */
export interface ConsoleScope {
  schoolId: string | undefined;
  scope: 'city' | 'school' | undefined;
}

type NoticeQuery = ExpressionBuilder<Database & { n: NoticesTable }, 'n'>;

/** Published, and for the reader: their schools' or city-wide for one of their audiences. */
function visibleTo(scope: ReaderScope) {
  return (eb: NoticeQuery) => eb.and([
    eb('n.status', '=', 'published'),
    eb.or([
      eb.and([eb('n.school_id', 'is', null), eb('n.audience', 'in', scope.audiences)]),
      // A school's notices to all its students, not those it holds for one student.
      ...(scope.schoolIds.length > 0 ? [eb.and([eb('n.school_id', 'in', scope.schoolIds), eb('n.student_id', 'is', null)])] : []),
      ...(scope.studentId ? [eb('n.student_id', '=', scope.studentId)] : []),
    ]),
  ]);
}

function readBy(reader: Reader) {
  return (eb: NoticeQuery) => eb.exists(
    eb.selectFrom('notice_reads as r').select('r.notice_id').whereRef('r.notice_id', '=', 'n.id').where('r.reader_role', '=', reader.role).where('r.reader_id', '=', reader.id),
  );
}

/**
 * Whether a notice still counts as new for the reader: not opened, and published since their
 * account was made, or pinned (a pinned notice is the card centre's or the school's "read this
 * first", whatever its age). What was published before the account existed is not news to them.
 */
function unreadBy(reader: Reader, since: Date) {
  return (eb: NoticeQuery) => eb.and([
    eb.not(readBy(reader)(eb)),
    eb.or([eb('n.pinned', '=', true), eb('n.published_at', '>=', since)]),
  ]);
}

/** The only SQL of 消息公告. */
export const noticesRepository = {
  /**
   * The schools (and their stages) whose notices a student reads: their own while enrolled; a
   * parent: each bound child's who is enrolled. A student who graduated or left reads only the
   * card centre's notices for everyone, and so do their parents.
   */
  async readerSchools(db: DbOrTx, reader: Reader): Promise<{ school_id: string; stage: SchoolStage }[]> {
    if (reader.role === 'student') {
      return db.selectFrom('students as st').innerJoin('schools as s', 's.id', 'st.school_id').select(['st.school_id', 's.stage']).where('st.id', '=', reader.id).where('st.status', '=', 'enrolled').execute();
    }
    return db.selectFrom('parent_students as ps').innerJoin('students as st', 'st.id', 'ps.student_id').innerJoin('schools as s', 's.id', 'st.school_id')
      .select(['st.school_id', 's.stage']).where('ps.parent_id', '=', reader.id).where('st.status', '=', 'enrolled').execute();
  },

  /** When the reader's account was made: older notices are not news to them (unreadBy). */
  async readerSince(db: DbOrTx, reader: Reader): Promise<Date> {
    const row = reader.role === 'student'
      ? await db.selectFrom('students').select('created_at').where('id', '=', reader.id).executeTakeFirstOrThrow()
      : await db.selectFrom('parents').select('created_at').where('id', '=', reader.id).executeTakeFirstOrThrow();
    return row.created_at;
  },

  /**
   * A page of the reader's notices, pinned first, then newest, each with whether it is still
   * unread for them (unreadBy); with the total and how many are unread.
   */
  async readerPage(db: DbOrTx, scope: ReaderScope, reader: Reader, since: Date, limit: number, offset: number) {
    const base = db.selectFrom('notices as n').where(visibleTo(scope));
    const [rows, counts] = await Promise.all([
      base.leftJoin('schools as s', 's.id', 'n.school_id')
        .selectAll('n').select('s.name as school_name').select((eb) => unreadBy(reader, since)(eb).as('unread'))
        .orderBy('n.pinned', 'desc').orderBy('n.published_at', 'desc').orderBy('n.id', 'desc')
        .limit(limit).offset(offset).execute(),
      base.select((eb) => [
        eb.fn.countAll<string>().as('total'),
        eb.fn.countAll<string>().filterWhere(unreadBy(reader, since)).as('unread'),
      ]).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(counts.total), unread: Number(counts.unread) };
  },

  /** One notice the reader may read, or undefined (whether it exists or not). */
  readerNotice(db: DbOrTx, scope: ReaderScope, id: string) {
    return db.selectFrom('notices as n').leftJoin('schools as s', 's.id', 'n.school_id')
      .selectAll('n').select('s.name as school_name')
      .where('n.id', '=', id).where(visibleTo(scope)).executeTakeFirst();
  },

  /** Records a reading once: the first one's time stays. */
  markRead(db: DbOrTx, noticeId: string, reader: Reader, at: Date) {
    return db.insertInto('notice_reads').values({ notice_id: noticeId, reader_role: reader.role, reader_id: reader.id, read_at: at })
      .onConflict((oc) => oc.columns(['notice_id', 'reader_role', 'reader_id']).doNothing()).execute();
  },

  /** Every notice the reader has opened, with its title, first read first (their data export). */
  readsOf(db: DbOrTx, reader: Reader) {
    return db.selectFrom('notice_reads as r').innerJoin('notices as n', 'n.id', 'r.notice_id').select(['r.notice_id', 'n.title', 'r.read_at'])
      .where('r.reader_role', '=', reader.role).where('r.reader_id', '=', reader.id).orderBy('r.read_at').orderBy('r.notice_id').execute();
  },

  /** The console's list, newest first (drafts by their last change), each with its reading count. */
  async consolePage(db: DbOrTx, scope: ConsoleScope, status: NoticeStatus | undefined, limit: number, offset: number) {
    // Notices to one student are theirs (成绩已更新): no console lists them.
    let query = db.selectFrom('notices as n').where('n.student_id', 'is', null);
    if (scope.schoolId) query = query.where('n.school_id', '=', scope.schoolId);
    if (scope.scope === 'city') query = query.where('n.school_id', 'is', null);
    else if (scope.scope === 'school') query = query.where('n.school_id', 'is not', null);
    if (status) query = query.where('n.status', '=', status);
    const [rows, count] = await Promise.all([
      query.leftJoin('schools as s', 's.id', 'n.school_id')
        .selectAll('n').select('s.name as school_name')
        .select((eb) => eb.selectFrom('notice_reads as r').select((r) => r.fn.countAll<string>().as('c')).whereRef('r.notice_id', '=', 'n.id').as('read_count'))
        // Pinned first only while published: a withdrawn or draft notice pinned is not at the top.
        .orderBy(sql`n.pinned and n.status = 'published'`, 'desc').orderBy((eb) => eb.fn.coalesce('n.published_at', 'n.updated_at'), 'desc').orderBy('n.id', 'desc')
        .limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows: rows.map((r) => ({ ...r, read_count: Number(r.read_count ?? 0) })), total: Number(count.n) };
  },

  /** The notice with its school's name and reading count, for the console's answer after a change. */
  async consoleNotice(db: DbOrTx, id: string) {
    const row = await db.selectFrom('notices as n').leftJoin('schools as s', 's.id', 'n.school_id')
      .selectAll('n').select('s.name as school_name')
      .select((eb) => eb.selectFrom('notice_reads as r').select((r) => r.fn.countAll<string>().as('c')).whereRef('r.notice_id', '=', 'n.id').as('read_count'))
      .where('n.id', '=', id).executeTakeFirstOrThrow();
    return { ...row, read_count: Number(row.read_count ?? 0) };
  },

  schoolExists(db: DbOrTx, schoolId: string) {
    return db.selectFrom('schools').select('id').where('id', '=', schoolId).executeTakeFirst();
  },

  insertNotice(tx: Tx, row: Insertable<NoticesTable>) {
    return tx.insertInto('notices').values(row).execute();
  },

  /** A notice the console may change (not one to a single student: those are the server's). */
  lockNotice(tx: Tx, id: string) {
    return tx.selectFrom('notices').selectAll().where('id', '=', id).where('student_id', 'is', null).forUpdate().executeTakeFirst();
  },

  /**
   * Publishes a notice to each of these students on a topic, withdrawing the one each had on it:
   * one published notice per student and topic (notices_personal_topic_idx).
   */
  async publishToStudents(tx: Tx, rows: Insertable<NoticesTable>[], topic: string, at: Date) {
    for (let i = 0; i < rows.length; i += 1_000) {
      const part = rows.slice(i, i + 1_000);
      await tx.updateTable('notices').set({ status: 'withdrawn', withdrawn_at: at, updated_at: at })
        .where('topic', '=', topic).where('status', '=', 'published').where('student_id', 'in', part.map((r) => r.student_id!)).execute();
      await tx.insertInto('notices').values(part).execute();
    }
  },

  updateNotice(tx: Tx, id: string, set: Updateable<NoticesTable>) {
    return tx.updateTable('notices').set(set).where('id', '=', id).execute();
  },
};
