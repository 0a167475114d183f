import { initialApplicationStatus, nextApplicationStatus } from '../../domain/fulfilment-lifecycle.js';
import type { AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { newId } from '../../platform/ids.js';
import { fulfilmentRepository as repo, type ApplicationRow } from './fulfilment.repository.js';
import type { StudentEnrolment } from './fulfilment.schemas.js';
import { recordStep } from './notifications.js';

/**
 * 新生制卡: a K-12 student's first card, as an application of kind `new_card` (docs/cards.md):
 * opened by the school with the card information confirmations, made once they are confirmed,
 * and given up while not yet printed when the student leaves or changes school. Once printed it
 * goes on to the school it was made for, where it is handed over only to a student still enrolled
 * there, and voided otherwise (void-first-card.ts).
 */

type StudentStatus = 'enrolled' | 'graduated' | 'transferred' | 'left';

/** Where the student stands against the application's school (see studentEnrolmentSchema): enrolled there, moved to another, or their status. */
export function enrolmentAt(student: { status: StudentStatus; school_id: string }, schoolId: string): StudentEnrolment {
  if (student.status !== 'enrolled') return student.status;
  return student.school_id === schoolId ? 'enrolled' : 'moved';
}

/**
 * Whether the application's student is enrolled at its school now (status `enrolled`, same school):
 * a card is handed over at the school only then. `share` holds the student's row to the end of the
 * caller's transaction, so a leaving or a move (which locks it) comes before or after, not during.
 */
export async function enrolledAtSchool(db: DbOrTx, app: Pick<ApplicationRow, 'student_id' | 'school_id'>, share = false): Promise<boolean> {
  const student = await repo.studentEnrolment(db, app.student_id, share);
  return student !== undefined && enrolmentAt(student, app.school_id) === 'enrolled';
}

/** A first card for the student: free, delivered to the school, ready for production once the card information is confirmed. */
export async function openFirstCard(tx: DbOrTx, clock: Clock, caller: Caller, student: { id: string; school_id: string }, requestId: string): Promise<void> {
  const now = clock.now();
  const row: ApplicationRow = {
    id: newId(), kind: 'new_card', student_id: student.id, school_id: student.school_id, old_card_id: null, reason: 'new', status: initialApplicationStatus('new_card'),
    delivery_method: 'school', recipient: null, phone: null, address: null, fee_fen: 0, fee_order_id: null, paid_at: null, batch_id: null, new_card_no: null, new_sticker_no: null, new_card_id: null,
    delivery_id: null, balance_transfer_due_at: null, balance_transferred_at: null, balance_transferred_fen: null, created_by_role: caller.role, created_by: caller.subjectId, created_at: now, updated_at: now,
  };
  await repo.insertApplication(tx, row);
  await recordStep(tx, clock, row, 'applied', { role: caller.role, id: caller.subjectId }, requestId, null, { kind: row.kind, delivery: row.delivery_method });
}

/**
 * The student graduated, left or moved to another school: a first card not yet printed is given
 * up (the new school opens its own). One already in production goes on to the school it was made for.
 */
export async function giveUpFirstCard(tx: DbOrTx, clock: Clock, studentId: string, actor: AuditActor, why: string, requestId: string): Promise<void> {
  const open = await repo.openFirstCardOf(tx, studentId);
  if (open?.status !== 'ready_for_production') return;
  const status = nextApplicationStatus('new_card', open.status, 'withdraw');
  await repo.updateApplication(tx, open.id, { status, updated_at: clock.now() });
  await recordStep(tx, clock, open, 'cancelled', actor, requestId, why);
}
