import { shanghaiDate } from '../../domain/calendar.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { accessibleCard } from '../cards/card-access.js';
import { k12ValidUntilOnIssue } from '../card-services/issue-validity.js';
import { changeCardStatus } from '../cards/card-status.js';
import { cardView } from '../cards/card-view.js';
import { cardsRepository } from '../cards/cards.repository.js';
import type { CardStage } from '../cards/cards.tables.js';
import { issueCard } from '../cards/issue-card.js';
import { hasRequiredConsent } from '../identity/consent.js';
import { nextStage, upgradeKind, type UpgradeKind } from './ecard-rules.js';
import './ecards.errors.js';
import { ecardsRepository as repo } from './ecards.repository.js';
import { moveBalance } from './move-balance.js';
import type { EcardResult } from './open-k12-ecard.js';
import { matches, verifyRealName } from './real-name.js';

export interface UpgradeStatus {
  cardId: string;
  needed: boolean;
  kind: UpgradeKind | null;
  fromStage: CardStage | null;
  toStage: CardStage | null;
}

/** Whether the student's stage has moved past the e-card's (小升初: primary → middle; 初升高: middle → high). */
export async function upgradeStatus(ctx: AppContext, caller: Caller, cardId: string): Promise<UpgradeStatus> {
  const card = await accessibleCard(ctx.db, caller, cardId);
  if (card.product !== 'k12_ecard') throw fail('ECARD_NOT_K12', { product: card.product });
  const student = await repo.rosterRow(ctx.db, card.student_id);
  const to = nextStage(card.stage);
  const needed = card.status === 'active' && to !== null && student?.stage === to;
  return { cardId: card.id, needed, kind: needed ? upgradeKind(card.stage) : null, fromStage: card.stage, toStage: needed ? to : null };
}

/**
 * The throttled real-name check of an upgrade, against the student's current (new) school; run
 * outside the request's transaction so failed attempts count (see verifyRealName).
 */
export async function preverifyUpgrade(ctx: AppContext, caller: Caller, cardId: string, input: UpgradeInput, source: string): Promise<void> {
  const status = await upgradeStatus(ctx, caller, cardId);
  if (!status.needed) return;
  const card = await accessibleCard(ctx.db, caller, cardId);
  const row = await repo.rosterRow(ctx.db, card.student_id);
  // Another school than the roster's is refused by the upgrade itself, with its own error: not a guess to count.
  if (row && row.school_id === input.schoolId) await verifyRealName(ctx.db, ctx.clock, row.id, { kind: 'k12', ...input }, source);
}

export interface UpgradeInput {
  schoolId: string;
  name: string;
  idNumber: string;
  educationId: string;
}

/**
 * 小升初 / 初升高: the student has been promoted (the roster now has the new school and stage).
 * The student names the new school (it must be the roster's: the roster, not the app, says where
 * a student is enrolled) and is re-verified against the roster there; the e-card is replaced on the same phone by
 * a card of the new stage that names the old one (replaces_card_id, so the history follows), and
 * the balance moves to the new purse in the same transaction.
 */
export async function upgradeK12Ecard(ctx: AppContext, caller: Caller, cardId: string, input: UpgradeInput, requestId: string): Promise<EcardResult> {
  if (caller.role !== 'student' && caller.role !== 'parent') throw fail('FORBIDDEN');
  const found = await accessibleCard(ctx.db, caller, cardId);
  if (found.product !== 'k12_ecard') throw fail('ECARD_NOT_K12', { product: found.product });
  const actor = { role: caller.role, id: caller.subjectId };
  const now = ctx.clock.now();

  return inTransaction(ctx.db, async (tx) => {
    await cardsRepository.lockStudent(tx, found.student_id);
    const card = await cardsRepository.lockCard(tx, found.id);
    if (!card) throw fail('CARD_NOT_FOUND', { cardId });
    if (card.status !== 'active') throw fail('ECARD_NOT_ACTIVE', { status: card.status });
    const row = await repo.rosterRow(tx, card.student_id);
    if (!row) throw fail('NOT_FOUND', { entity: 'student' });
    const to = nextStage(card.stage);
    if (to === null || row.stage !== to) throw fail('ECARD_UPGRADE_NOT_NEEDED', { cardStage: card.stage, studentStage: row.stage });
    if (input.schoolId !== row.school_id) throw fail('ECARD_UPGRADE_SCHOOL_MISMATCH', { schoolId: input.schoolId });
    if (!matches(row, { kind: 'k12', ...input })) throw fail('ECARD_REAL_NAME_FAILED');
    if (row.status !== 'enrolled') throw fail('ECARD_NOT_ENROLLED', { status: row.status });
    if (!(await hasRequiredConsent(tx, card.student_id, 'nfc_ecard', shanghaiDate(now)))) throw fail('ECARD_CONSENT_REQUIRED');
    const kind = upgradeKind(card.stage);

    const old = await changeCardStatus(tx, ctx.clock, { cardId: card.id, event: 'replace', reason: `ecard:upgrade:${kind}`, actor, requestId });
    const upgraded = await issueCard(tx, ctx.clock, {
      product: 'k12_ecard', studentId: card.student_id, active: true, device: card.device, stage: to, replacesCardId: card.id, reason: `ecard:upgrade:${kind}`, actor, requestId,
      // The new stage's card, on the yearly extension's cycle (the old one was bounded by the old stage's graduation).
      validUntil: await k12ValidUntilOnIssue(tx, card.student_id, shanghaiDate(now)),
    });
    const movedFen = await moveBalance(tx, ctx.clock, card.id, upgraded.id, `电子学生卡升级（${kind}）`, actor);
    await repo.insertApplication(tx, {
      id: newId(), kind: 'k12_upgrade', student_id: card.student_id, card_id: upgraded.id, previous_card_id: card.id, agreement_version: null, accepted_at: null,
      actor_role: caller.role, actor_id: caller.subjectId, device: card.device ? JSON.stringify(card.device) : null, created_at: now,
    });
    await recordAudit(tx, ctx.clock, { actor, action: 'ecards.k12_upgraded', entityType: 'card', entityId: upgraded.id, before: { cardId: card.id, stage: card.stage }, after: { stage: to, kind, movedFen }, requestId });
    return { card: await cardView(tx, ctx.clock, upgraded), previousCard: await cardView(tx, ctx.clock, old), balanceMovedFen: movedFen };
  });
}
