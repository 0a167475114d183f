import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './payments.errors.js';
import { paymentsRepository as repo } from './payments.repository.js';

/**
 * May this student's purse be topped up? Today: the student exists and is enrolled. The domain
 * rule is "the card is in normal status" (seed: 贴卡充值 needs a valid card); the cards issue
 * replaces this check with the card's status, here and nowhere else.
 */
export async function assertTopUpAllowed(db: DbOrTx, studentId: string): Promise<void> {
  const student = await repo.findStudent(db, studentId);
  if (!student || student.status !== 'enrolled') throw fail('TOP_UP_NOT_ALLOWED', { studentId, status: student?.status ?? null });
}
