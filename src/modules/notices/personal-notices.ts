import type { Tx } from '../../platform/db/database.js';
import { newId } from '../../platform/ids.js';
import type { NoticeWriterRole } from './notices.tables.js';
import { noticesRepository as repo } from './notices.repository.js';

/**
 * 消息公告 to one student (migration 0059; decision 0009): the server tells a student that
 * something of theirs changed (成绩已更新). Published at once, read only by that student, listed
 * in no console; one per student and topic, a newer one withdrawing the older, so a term's grades
 * changed twice leave one notice, unread again. Written in the caller's transaction, with the
 * change that prompted it; the change's own audit entry counts them (a notice per student would
 * swamp the audit log on a term's upload).
 */
export interface StudentNotice {
  schoolId: string;
  studentIds: readonly string[];
  /** What it is about, such as 'grades:<term id>'. */
  topic: string;
  title: string;
  body: string;
  /** Whose action prompted it (the console's or the integration's account). */
  by: { role: NoticeWriterRole; id: string };
  at: Date;
}

export async function noticeStudents(tx: Tx, notice: StudentNotice): Promise<number> {
  const { schoolId, studentIds, topic, title, body, by, at } = notice;
  const rows = studentIds.map((studentId) => ({
    id: newId(), school_id: schoolId, audience: null, student_id: studentId, topic, title, body, pinned: false, status: 'published' as const,
    published_at: at, withdrawn_at: null, created_by_role: by.role, created_by_id: by.id, updated_by_role: by.role, updated_by_id: by.id, created_at: at, updated_at: at,
  }));
  await repo.publishToStudents(tx, rows, topic, at);
  return rows.length;
}
