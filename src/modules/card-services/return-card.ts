import { allowedEvents } from '../../domain/card-lifecycle.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { accessibleCard } from '../cards/card-access.js';
import { changeCardStatus } from '../cards/card-status.js';
import { cardView } from '../cards/card-view.js';
import { accountCodes, balanceOf, findAccountByCode } from '../ledger/ledger.js';
import { restorePhysicalCard } from '../ecards/restore-physical-card.js';
import { recordUniversityEcardReturn } from '../ecards/university-ecard.js';
import { moveNetworkBalanceToCard, networkBalanceFen } from '../campus/network-account.js';
import { replacementUnderway } from '../fulfilment/apply-replacement.js';
import { getBalanceRefund, plannedRefundRoute, requestBalanceRefund } from '../payments/balance-refund.js';
import { sendRefund } from '../payments/gateway-refunds.js';
import { inAppBalanceRefundLimitFen } from '../payments/order-rules.js';
import './card-services.errors.js';
import { cardServicesRepository as repo } from './card-services.repository.js';
import type { ReturnQuoteDto, ReturnResultDto } from './card-services.schemas.js';

/** 退卡 is done in the app by the holder or a parent, or by an operator (at a service outlet). */
const returnRoles = ['student', 'parent', 'operator'];

const channelOf = (caller: Caller) => (caller.role === 'operator' ? 'console' : 'app');

/** Before returning: may it be returned, how much comes back, and where (≤ ¥200 in the app, above at an outlet). */
export async function returnQuote(ctx: AppContext, caller: Caller, cardId: string): Promise<ReturnQuoteDto> {
  const card = await accessibleCard(ctx.db, caller, cardId);
  const purseFen = (await balanceOf(ctx.db, (await findAccountByCode(ctx.db, accountCodes.purse(card.id))).id)).availableFen;
  // A campus card takes the campus network balance with it (moveNetworkBalanceToCard at the return).
  const networkFen = card.product === 'campus_card' ? await networkBalanceFen(ctx.db, card.student_id) : 0;
  const availableFen = purseFen + networkFen;
  const blockedBy = !returnRoles.includes(caller.role) ? 'CARD_RETURN_ROLE'
    : !allowedEvents(card.product, card.status).includes('return') ? 'CARD_TRANSITION_INVALID'
    : (await replacementUnderway(ctx.db, card.id)) ? 'FULFILMENT_APPLICATION_OPEN'
    : availableFen < 0 ? 'CARD_RETURN_NEGATIVE_BALANCE' : null;
  return {
    cardId: card.id,
    returnable: blockedBy === null,
    blockedBy,
    balanceFen: availableFen,
    networkBalanceFen: networkFen,
    // As the refund will go: in the app only when the card's own top-ups can carry it back.
    refundRoute: await plannedRefundRoute(ctx.db, card.id, availableFen),
    inAppLimitFen: inAppBalanceRefundLimitFen,
  };
}

/**
 * 退卡: the card goes to `returned` (terminals deny it from the next deny-list) and its whole
 * available balance is refunded through payments (≤ ¥200 back through the gateways in the app,
 * above at an operator outlet), in one transaction: the caller's, when `ctx.db` is one. A returned
 * card no longer counts for the one-active-card rule, so the student may apply again. Refused
 * (FULFILMENT_APPLICATION_OPEN) while the card's replacement application is under way.
 *
 * The e-card page's return (returnUniversityEcard) is this one too.
 */
export async function returnCard(ctx: AppContext, caller: Caller, cardId: string, requestId: string): Promise<ReturnResultDto> {
  if (!returnRoles.includes(caller.role)) throw fail('CARD_RETURN_ROLE', { role: caller.role });
  return inTransaction(ctx.db, async (tx) => {
    const txCtx: AppContext = { ...ctx, db: tx };
    await accessibleCard(tx, caller, cardId);
    // Locks the card and asks the state machine first: a second, racing return waits, then fails here.
    const returned = await changeCardStatus(tx, ctx.clock, { cardId, event: 'return', reason: channelOf(caller), actor: { role: caller.role, id: caller.subjectId }, requestId });
    // Not while its replacement is under way: completing it replaces this card, which a returned card cannot be.
    const underway = await replacementUnderway(tx, cardId);
    if (underway) throw fail('FULFILMENT_APPLICATION_OPEN', { cardId, applicationId: underway.id, kind: underway.kind, status: underway.status });
    // Leaving with a campus card: the campus network balance comes back with the card's own.
    if (returned.product === 'campus_card') {
      await moveNetworkBalanceToCard(tx, ctx.clock, { studentId: returned.student_id, cardId, actor: { role: caller.role, id: caller.subjectId }, requestId });
    }
    const { availableFen } = await balanceOf(tx, (await findAccountByCode(tx, accountCodes.purse(cardId))).id);
    if (availableFen < 0) throw fail('CARD_RETURN_NEGATIVE_BALANCE', { cardId, balanceFen: availableFen });
    // A returned K-12 e-card gives transit back to the physical K-12 card it superseded (docs/cards.md).
    if (returned.product === 'k12_ecard') await restorePhysicalCard(tx, ctx.clock, returned.student_id, { role: caller.role, id: caller.subjectId }, requestId);
    if (returned.product === 'university_ecard') await recordUniversityEcardReturn(tx, returned, { role: caller.role, id: caller.subjectId }, ctx.clock.now());
    const refund = availableFen > 0 ? await requestBalanceRefund(txCtx, caller, cardId, requestId) : null;
    const now = ctx.clock.now();
    const id = newId();
    await repo.insertReturn(tx, {
      id, card_id: cardId, balance_refund_id: refund?.id ?? null, refund_fen: refund?.amountFen ?? 0, refund_route: refund?.route ?? 'none',
      returned_by_role: caller.role, returned_by: caller.subjectId, created_at: now,
    });
    await recordAudit(tx, ctx.clock, {
      actor: { role: caller.role, id: caller.subjectId },
      action: 'card_services.return',
      entityType: 'card',
      entityId: cardId,
      after: { returnId: id, balanceRefundId: refund?.id ?? null, refundFen: refund?.amountFen ?? 0, route: refund?.route ?? 'none' },
      requestId,
    });
    return {
      card: await cardView(tx, ctx.clock, returned),
      refund: refund ? { id: refund.id, amountFen: refund.amountFen, route: refund.route, status: refund.status } : null,
    };
  });
}

/**
 * After the return has committed: send its gateway refunds (network calls, never inside the
 * transaction) and report their outcome. A refund that cannot be sent now is retried by the
 * payments job (retryStaleRefunds). Callers of returnCard (the route, helper F's e-card return)
 * call this once their transaction is committed.
 */
export async function sendReturnRefunds(ctx: AppContext, caller: Caller, result: ReturnResultDto): Promise<ReturnResultDto> {
  if (!result.refund || result.refund.route !== 'gateway') return result;
  const requested = await getBalanceRefund(ctx, caller, result.refund.id);
  for (const refund of requested.refunds) await sendRefund(ctx, refund.id);
  const after = await getBalanceRefund(ctx, caller, result.refund.id);
  return { ...result, refund: { ...result.refund, status: after.status } };
}
