import type { ColumnType, Generated } from 'kysely';
import type { NoticeAudience, NoticeStatus } from '../../domain/notices.js';

/** Kysely table types of 消息公告 (merged into the Database interface in src/platform/db/schema.ts; migration 0046). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** Who wrote a notice: the card centre's operators, or a school's card manager. */
export type NoticeWriterRole = 'operator' | 'school_admin';

/**
 * A notice: the card centre's to the whole city (school_id null, an audience) or a school's to its
 * students and their parents (audience null).
 */
export interface NoticesTable {
  id: string;
  school_id: string | null;
  audience: NoticeAudience | null;
  title: string;
  /** Plain text; a newline starts a paragraph. */
  body: string;
  pinned: Generated<boolean>;
  /** A notice to one student only (migration 0059): written by the server, read by them alone, in no console list. */
  student_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** What a notice to one student is about ('grades:<term id>'): one published per student and topic. */
  topic: ColumnType<string | null, string | null | undefined, string | null>;
  status: NoticeStatus;
  /** When it was first published; null while a draft. */
  published_at: Timestamp | null;
  withdrawn_at: Timestamp | null;
  created_by_role: NoticeWriterRole;
  created_by_id: string;
  updated_by_role: NoticeWriterRole;
  updated_by_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A student's or parent's first reading of a notice (what clears its unread mark). */
export interface NoticeReadsTable {
  notice_id: string;
  reader_role: 'student' | 'parent';
  reader_id: string;
  read_at: Timestamp;
}

export interface NoticesTables {
  notices: NoticesTable;
  notice_reads: NoticeReadsTable;
}
