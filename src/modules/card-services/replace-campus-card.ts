import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { assertStudentAccess } from '../../platform/access.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { changeCardStatus } from '../cards/card-status.js';
import { cardView } from '../cards/card-view.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { issueCard } from '../cards/issue-card.js';
import { accountCodes, balanceOf, ensureAccount, findAccountByCode, postTransaction, transferBalance } from '../ledger/ledger.js';
import './card-services.errors.js';
import { cardServicesRepository as repo } from './card-services.repository.js';
import type { KioskReplacementResultDto } from './card-services.schemas.js';

/** The campus card replacement fee (seed 004: the balance must be more than ¥16). */
export const campusReplacementFeeFen = 1_600;

/**
 * 补卡 at the self-service kiosk (seed 004): the student shows their ID card; the campus card
 * (lost, or damaged but still active) is replaced at once — no waiting period. The balance must
 * exceed the ¥16 fee; the fee goes from the old purse to fee income, a new campus card is issued
 * active, the rest of the balance moves to it and the old card is replaced, all in one transaction.
 * With `cardNo` (the card the kiosk showed) a double submission fails instead of replacing the new card too.
 */
export async function kioskReplaceCampusCard(ctx: AppContext, caller: Caller, input: { idNumber: string; cardNo?: string | undefined }, requestId: string): Promise<KioskReplacementResultDto> {
  if (caller.role !== 'kiosk') throw fail('FORBIDDEN', { requiredRoles: ['kiosk'] });
  const actor = { role: caller.role, id: caller.subjectId };
  return inTransaction(ctx.db, async (tx) => {
    const student = await repo.studentByIdNumber(tx, input.idNumber, caller.schoolId);
    if (!student) throw fail('CAMPUS_CARD_NONE');
    await assertStudentAccess(tx, caller, student.id);
    const current = input.cardNo ? await cardsRepository.findCardByNo(tx, input.cardNo) : await repo.cardOf(tx, student.id, 'campus_card', ['active', 'lost']);
    if (!current || current.student_id !== student.id || current.product !== 'campus_card') throw fail('CAMPUS_CARD_NONE');
    // Locks the old card and asks the state machine: a second, racing replacement fails here.
    const old = await changeCardStatus(tx, ctx.clock, { cardId: current.id, event: 'replace', reason: 'kiosk', actor, requestId });
    const oldPurse = await findAccountByCode(tx, accountCodes.purse(old.id));
    const { availableFen } = await balanceOf(tx, oldPurse.id);
    if (availableFen <= campusReplacementFeeFen) throw fail('CARD_BALANCE_TOO_LOW', { balanceFen: availableFen, feeFen: campusReplacementFeeFen });
    const fees = await ensureAccount(tx, ctx.clock, { code: accountCodes.fees(), type: 'fee_income', actor });
    await postTransaction(tx, ctx.clock, {
      idempotencyKey: `campus-replacement-fee:${old.id}`,
      type: 'fee',
      postings: [{ accountId: oldPurse.id, debitFen: campusReplacementFeeFen }, { accountId: fees.id, creditFen: campusReplacementFeeFen }],
      memo: '校园卡补卡工本费',
      metadata: { cardId: old.id },
      actor,
    });
    const fresh = await issueCard(tx, ctx.clock, { product: 'campus_card', studentId: student.id, active: true, replacesCardId: old.id, validUntil: old.valid_until, reason: 'kiosk_replacement', actor, requestId });
    await transferBalance(tx, ctx.clock, {
      idempotencyKey: `campus-replacement-move:${old.id}`,
      fromAccountId: oldPurse.id,
      toAccountId: (await findAccountByCode(tx, accountCodes.purse(fresh.id))).id,
      memo: '补卡余额转移',
      metadata: { fromCardId: old.id, toCardId: fresh.id },
      actor,
    });
    await recordAudit(tx, ctx.clock, { actor, action: 'card_services.campus_replacement', entityType: 'card', entityId: old.id, after: { newCardId: fresh.id, feeFen: campusReplacementFeeFen }, requestId });
    return { oldCard: await cardView(tx, ctx.clock, old), newCard: await cardView(tx, ctx.clock, fresh), feeFen: campusReplacementFeeFen };
  });
}
