import { assertCardNo } from '../../domain/card-numbers.js';
import { assertStudentAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { accessibleCard } from '../cards/card-access.js';
import { changeCardStatus } from '../cards/card-status.js';
import { cardView, type CardView } from '../cards/card-view.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { issueCard } from '../cards/issue-card.js';
import { accountCodes, findAccountByCode, transferBalance } from '../ledger/ledger.js';
import './card-services.errors.js';
import { cardServicesRepository as repo } from './card-services.repository.js';
import type { TemporaryExchangeResultDto } from './card-services.schemas.js';

const staffRoles = ['school_admin', 'operator'];

async function findStudent(db: DbOrTx, caller: Caller, input: { educationId?: string | undefined; studentNo?: string | undefined }) {
  const student = input.educationId
    ? await repo.studentByEducationId(db, input.educationId)
    : input.studentNo && caller.schoolId
      ? await repo.studentByStudentNo(db, input.studentNo, caller.schoolId)
      : undefined;
  if (!student) throw fail('NOT_FOUND', { entity: 'student' });
  await assertStudentAccess(db, caller, student.id);
  return student;
}

/**
 * 新生临时卡 (seed 004): school staff hand a new student a numbered temporary card, active at
 * once, usable until the formal campus card is issued. One open temporary card per student, and
 * none once the formal card exists.
 */
export async function issueTemporaryCard(ctx: AppContext, caller: Caller, input: { educationId?: string | undefined; studentNo?: string | undefined; cardNo?: string | undefined }, requestId: string): Promise<CardView> {
  if (!staffRoles.includes(caller.role)) throw fail('FORBIDDEN', { requiredRoles: staffRoles });
  if (input.cardNo) assertCardNo(input.cardNo, 'yikatong');
  return inTransaction(ctx.db, async (tx) => {
    const student = await findStudent(tx, caller, input);
    await cardsRepository.lockStudent(tx, student.id);
    if (await repo.cardOf(tx, student.id, 'temporary_card', ['active', 'lost'])) throw fail('TEMPORARY_CARD_OPEN', { studentId: student.id });
    if (await repo.cardOf(tx, student.id, 'campus_card', ['active', 'lost'])) throw fail('CAMPUS_CARD_EXISTS', { studentId: student.id });
    const card = await issueCard(tx, ctx.clock, { product: 'temporary_card', studentId: student.id, active: true, cardNo: input.cardNo, reason: 'temporary_issue', actor: { role: caller.role, id: caller.subjectId }, requestId });
    return cardView(tx, ctx.clock, card);
  });
}

/**
 * Next semester the temporary card is exchanged for the formal campus card (and handed back):
 * the campus card is issued active, the temporary card's balance moves to it and the temporary
 * card is closed, in one transaction.
 */
export async function exchangeTemporaryCard(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<TemporaryExchangeResultDto> {
  if (!staffRoles.includes(caller.role)) throw fail('FORBIDDEN', { requiredRoles: staffRoles });
  const actor = { role: caller.role, id: caller.subjectId };
  return inTransaction(ctx.db, async (tx) => {
    const found = await accessibleCard(tx, caller, cardId);
    if (found.product !== 'temporary_card') throw fail('TEMPORARY_CARD_EXPECTED', { cardId, product: found.product });
    // Locks the temporary card and asks the state machine: an exchange happens once.
    const closed = await changeCardStatus(tx, ctx.clock, { cardId, event: 'close', reason: 'temporary_exchange', actor, requestId });
    if (await repo.cardOf(tx, closed.student_id, 'campus_card', ['active', 'lost'])) throw fail('CAMPUS_CARD_EXISTS', { studentId: closed.student_id });
    const campus = await issueCard(tx, ctx.clock, { product: 'campus_card', studentId: closed.student_id, active: true, replacesCardId: closed.id, reason: 'temporary_exchange', actor, requestId });
    await transferBalance(tx, ctx.clock, {
      idempotencyKey: `temporary-exchange-move:${closed.id}`,
      fromAccountId: (await findAccountByCode(tx, accountCodes.purse(closed.id))).id,
      toAccountId: (await findAccountByCode(tx, accountCodes.purse(campus.id))).id,
      memo: '临时卡换发正式卡余额转移',
      metadata: { fromCardId: closed.id, toCardId: campus.id },
      actor,
    });
    await recordAudit(tx, ctx.clock, { actor, action: 'card_services.temporary_exchange', entityType: 'card', entityId: closed.id, after: { campusCardId: campus.id }, requestId });
    return { temporaryCard: await cardView(tx, ctx.clock, closed), campusCard: await cardView(tx, ctx.clock, campus) };
  });
}
