import { shanghaiDate } from '../../domain/calendar.js';
import { graceEndsOn, validityOn } from '../../domain/validity.js';
import { statusLabels } from '../../domain/card-lifecycle.js';
import { maskCardNo } from '../../domain/masking.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { Clock } from '../../platform/clock.js';
import { accessibleCard } from '../cards/card-access.js';
import { cardView } from '../cards/card-view.js';
import { cardsRepository, type CardRow } from '../cards/cards.repository.js';
import { enqueueCardAction } from '../transit/action-list.js';
import './card-services.errors.js';
import { cardServicesRepository as repo, type ExtensionWindowRow } from './card-services.repository.js';
import type { ExtendResultDto, ExtensionBlock, ExtensionCheckDto } from './card-services.schemas.js';
import { extendedValidUntil, extensionCardBlock, graduationDate } from './extension-rules.js';
import { windowView } from './extension-windows.js';

interface Assessment {
  today: string;
  /** The window the extension counts in (today's, or the last one for a card in grace), else this year's (for display), or null. */
  window: ExtensionWindowRow | null;
  /** Extended after its window closed, in the card's grace period. */
  late: boolean;
  graceUntil: string | null;
  graduation: string | null;
  newValidUntil: string | null;
  blockedBy: ExtensionBlock | null;
}

/**
 * The status check before an extension (seed 001: the query must say "卡正常状态"): the product
 * is a K-12 transit card, the card is active (not lost, not superseded by an e-card, not
 * returned), today is inside the operator's window or the card is in its grace period after the
 * last window closed (docs/decisions/0008), it was not extended in that window yet, and the new
 * date stays within graduation.
 */
export async function assess(db: DbOrTx, clock: Clock, card: CardRow): Promise<Assessment> {
  const today = shanghaiDate(clock.now());
  const inGrace = validityOn(card.valid_until, today) === 'grace';
  const open = await repo.windowContaining(db, today);
  // In its grace period a card may still be extended as in the window that closed last.
  const late = !open && inGrace ? await repo.lastWindowEndedBefore(db, today) : undefined;
  const countsIn = open ?? late;
  const window = countsIn ?? (await repo.findWindow(db, Number(today.slice(0, 4)))) ?? null;
  const student = await repo.studentForExtension(db, card.student_id);
  const graduation = student ? graduationDate(student.stage, student.grade, today) : null;
  const graceUntil = inGrace ? graceEndsOn(card.valid_until!) : null;
  const result = (blockedBy: ExtensionBlock | null, newValidUntil: string | null = null): Assessment => ({
    today, window, late: late !== undefined, graceUntil, graduation, newValidUntil, blockedBy,
  });

  const cardBlock = extensionCardBlock(card);
  if (cardBlock) return result(cardBlock);
  if (!countsIn) return result('CARD_EXTENSION_WINDOW_CLOSED');
  if (student?.status === 'graduated') return result('CARD_EXTENSION_GRADUATION');
  if (await repo.findExtension(db, card.id, countsIn.year)) return result('CARD_EXTENSION_DONE');
  const target = extendedValidUntil({ year: countsIn.year, startsOn: countsIn.starts_on, endsOn: countsIn.ends_on }, graduation);
  if (card.valid_until !== null && target <= card.valid_until) return result(graduation !== null && target === graduation ? 'CARD_EXTENSION_GRADUATION' : 'CARD_EXTENSION_DONE');
  return result(null, target);
}

/** GET /cards/:cardId/extension: what the status query says and whether the card can be extended now. */
export async function checkExtension(ctx: AppContext, caller: Caller, cardId: string): Promise<ExtensionCheckDto> {
  const card = await accessibleCard(ctx.db, caller, cardId);
  const a = await assess(ctx.db, ctx.clock, card);
  return {
    cardId: card.id,
    cardNoMasked: maskCardNo(card.card_no),
    status: card.status,
    statusMessage: statusLabels[card.status],
    statusNormal: card.status === 'active',
    window: a.window ? windowView(a.window, a.today) : null,
    late: a.late,
    validUntil: card.valid_until,
    graceUntil: a.graceUntil,
    newValidUntil: a.newValidUntil,
    graduationDate: a.graduation,
    eligible: a.blockedBy === null,
    blockedBy: a.blockedBy,
  };
}

const extendRoles = ['student', 'parent', 'school_admin', 'operator'];

/** 卡片延期: extends a normal K-12 card inside the window (or late, in its grace period), once per window year. */
export async function extendCard(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<ExtendResultDto> {
  if (!extendRoles.includes(caller.role)) throw fail('FORBIDDEN', { requiredRoles: extendRoles });
  return inTransaction(ctx.db, async (tx) => {
    await accessibleCard(tx, caller, cardId);
    const card = await cardsRepository.lockCard(tx, cardId);
    if (!card) throw fail('CARD_NOT_FOUND', { cardId });
    const a = await assess(tx, ctx.clock, card);
    if (a.blockedBy !== null || a.newValidUntil === null || a.window === null) {
      throw fail(a.blockedBy ?? 'CARD_EXTENSION_WINDOW_CLOSED', { cardId, status: card.status, validUntil: card.valid_until, today: a.today, graduationDate: a.graduation });
    }
    const now = ctx.clock.now();
    const extension = { id: newId(), card_id: card.id, window_year: a.window.year, from_valid_until: card.valid_until, to_valid_until: a.newValidUntil, requested_by_role: caller.role, requested_by: caller.subjectId, created_at: now };
    await repo.insertExtension(tx, extension);
    await repo.setValidUntil(tx, card.id, a.newValidUntil, now);
    await recordAudit(tx, ctx.clock, {
      actor: { role: caller.role, id: caller.subjectId },
      action: 'card_services.extend',
      entityType: 'card',
      entityId: card.id,
      before: { validUntil: card.valid_until },
      after: { validUntil: a.newValidUntil, windowYear: a.window.year, late: a.late, extensionId: extension.id },
      requestId,
    });
    // The card itself learns its new date at its next tap (the transit action list), in this transaction.
    await enqueueCardAction(tx, ctx.clock, { cardId: card.id, kind: 'extend', validUntil: a.newValidUntil, source: `extension:${extension.id}` });
    const updated = { ...card, valid_until: a.newValidUntil, updated_at: now };
    return {
      card: await cardView(tx, ctx.clock, updated),
      extension: { id: extension.id, windowYear: extension.window_year, fromValidUntil: extension.from_valid_until, toValidUntil: extension.to_valid_until, createdAt: now.toISOString() },
    };
  });
}
