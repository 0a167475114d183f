import { shanghaiDate } from '../../domain/calendar.js';
import { maskCardNo, maskName } from '../../domain/masking.js';
import { assertSchoolAccess, consoleListScope } from '../../platform/access.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { cardsRepository, type CardRow } from '../cards/cards.repository.js';
import { accountCodes, balanceOf, findAccountByCode, postingsOf, postTransaction, reverseTransaction } from '../ledger/ledger.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import './campus.errors.js';
import { campusRepository as repo, type PurchaseRow } from './campus.repository.js';
import type { CanteenPurchaseDto, PosRefundResult } from './campus.schemas.js';
import { terminalOfKind } from './pay-at-pos.js';

/**
 * Canteen refunds (退款). A purchase is refunded whole and once, by reversing its ledger
 * transaction: the merchant gives the money back to the card's purse. The POS that took it may
 * cancel it the same Beijing day (撤销: the cashier rang up the wrong dish); after that, the
 * university's card manager or an operator refunds it in the console, with the reason. Money goes
 * back to the card's purse while the card is in use, lost or suspended; once it was replaced, its
 * balance moved to the replacement (补卡), and the refund follows it there. A returned card's
 * student has left: the service centre settles the refund by hand.
 */

const refundableCardStatuses = new Set(['active', 'lost', 'suspended']);

/** The card that replaced this one (补卡), following replacements of replacements, if it is in use, lost or suspended. */
async function replacementInUse(tx: Tx, cardId: string): Promise<CardRow | undefined> {
  let id = cardId;
  for (let hops = 0; hops < 10; hops++) {
    const next = await tx.selectFrom('cards').select('id').where('replaces_card_id', '=', id).executeTakeFirst();
    if (!next) return undefined;
    const locked = await cardsRepository.lockCard(tx, next.id);
    if (locked && refundableCardStatuses.has(locked.status)) return locked;
    if (locked?.status !== 'replaced') return undefined;
    id = next.id;
  }
  return undefined;
}

/**
 * The purchase's money back from the canteen onto the replacement card's purse: the original
 * purse was emptied into the replacement, so reversing onto it would strand the money there.
 */
async function refundToReplacement(tx: Tx, clock: Clock, purchase: PurchaseRow, cardId: string, actor: AuditActor) {
  // The till the purchase paid (or the canteen's own account, for purchases from before tills).
  const merchant = (await postingsOf(tx, purchase.ledger_transaction_id)).find((p) => p.creditFen > 0)!;
  const purse = await findAccountByCode(tx, accountCodes.purse(cardId));
  return postTransaction(tx, clock, {
    idempotencyKey: `campus-refund:${purchase.id}`,
    type: 'refund',
    postings: [{ accountId: merchant.accountId, debitFen: purchase.amount_fen }, { accountId: purse.id, creditFen: purchase.amount_fen }],
    memo: `退款 ${purchase.merchant}（补卡后退至新卡）`,
    metadata: { purchaseId: purchase.id, fromCardId: purchase.card_id, cardId },
    actor,
  });
}

/**
 * Reverses the purchase under its row lock, in a transaction of its own or the caller's. A
 * purchase refunded already (by a racing request, or the other channel) is `fresh: false` and
 * moves nothing.
 */
async function refund(ctx: AppContext, purchaseId: string, actor: AuditActor & { role: 'terminal' | 'school_admin' | 'operator' }, reason: string | null, requestId: string | null): Promise<{ row: PurchaseRow; fresh: boolean }> {
  return inTransaction(ctx.db, async (tx) => {
    const purchase = (await repo.lockPurchase(tx, purchaseId))!;
    if (purchase.refunded_at) return { row: purchase, fresh: false };
    const card = await cardsRepository.lockCard(tx, purchase.card_id);
    const target = card && (refundableCardStatuses.has(card.status) ? card : card.status === 'replaced' ? await replacementInUse(tx, card.id) : undefined);
    if (!card || !target) throw fail('CAMPUS_REFUND_CARD_CLOSED', { status: card?.status ?? null });
    const reversal = target.id === card.id
      ? await reverseTransaction(tx, ctx.clock, { idempotencyKey: `campus-refund:${purchase.id}`, transactionId: purchase.ledger_transaction_id, memo: `退款 ${purchase.merchant}`, actor })
      : await refundToReplacement(tx, ctx.clock, purchase, target.id, actor);
    const purse = await findAccountByCode(tx, accountCodes.purse(target.id));
    const refunded = await repo.markRefunded(tx, purchase.id, {
      at: ctx.clock.now(), ledgerTransactionId: reversal.id, balanceAfterFen: (await balanceOf(tx, purse.id)).availableFen, byRole: actor.role, byId: actor.id, reason,
    });
    await recordAudit(tx, ctx.clock, {
      actor, action: 'campus.purchase.refunded', entityType: 'card', entityId: purchase.card_id,
      after: { purchaseId: purchase.pos_purchase_id, amountFen: purchase.amount_fen, merchant: purchase.merchant, reason, ledgerTransactionId: reversal.id, toCardId: target.id }, requestId,
    });
    return { row: refunded, fresh: true };
  });
}

/** 撤销: the POS cancels one of its own purchases, the same Beijing day; asking again answers the same. */
export async function cancelAtPos(ctx: AppContext, terminalId: string, posPurchaseId: string): Promise<PosRefundResult> {
  const pos = await terminalOfKind(ctx, terminalId, 'pos');
  const found = await repo.purchaseOf(ctx.db, pos.id, posPurchaseId);
  if (!found) throw fail('CAMPUS_PURCHASE_UNKNOWN', { purchaseId: posPurchaseId });
  if (!found.refunded_at && shanghaiDate(found.at) !== shanghaiDate(ctx.clock.now())) throw fail('CAMPUS_REFUND_NOT_TODAY', { purchaseId: posPurchaseId });
  const { row } = await refund(ctx, found.id, { role: 'terminal', id: pos.id }, null, null);
  // Asking again answers this POS's own cancel; a refund made in the console is not a 撤销 to print.
  if (row.refunded_by_role !== 'terminal' || row.refunded_by_id !== pos.id) throw fail('CAMPUS_PURCHASE_REFUNDED', { purchaseId: posPurchaseId });
  return { purchaseId: row.pos_purchase_id, amountFen: row.amount_fen, refundedAt: row.refunded_at!.toISOString(), balanceAfterFen: row.refund_balance_after_fen! };
}

type ListedPurchase = PurchaseRow & { student_name: string; school_name: string; card_no: string; terminal_code: string };

function purchaseView(row: ListedPurchase): CanteenPurchaseDto {
  return {
    id: row.id, purchaseId: row.pos_purchase_id, schoolName: row.school_name, terminalCode: row.terminal_code, merchant: row.merchant, studentNameMasked: maskName(row.student_name), cardNoMasked: maskCardNo(row.card_no),
    amountFen: row.amount_fen, method: row.method, at: row.at.toISOString(), refundedAt: row.refunded_at?.toISOString() ?? null, refundReason: row.refund_reason,
  };
}

/** Canteen purchases for the console: a card manager's own school's; an operator's chosen school's, or all. */
export async function schoolPurchases(ctx: AppContext, caller: Caller, query: { schoolId?: string | undefined; cardNo?: string | undefined }, page: PageQuery) {
  const { items, total } = await repo.schoolPurchases(ctx.db, consoleListScope(caller, query.schoolId), { cardNo: query.cardNo }, { limit: page.pageSize, offset: offsetOf(page) });
  return { items: items.map(purchaseView), total, page: page.page, pageSize: page.pageSize };
}

/** 退款 in the console, with the reason: the university's card manager or an operator, any day. */
export async function refundInConsole(ctx: AppContext, caller: Caller, id: string, reason: string, requestId: string): Promise<CanteenPurchaseDto> {
  const found = await repo.purchaseById(ctx.db, id);
  if (!found) throw fail('CAMPUS_PURCHASE_UNKNOWN', { purchaseId: id });
  // The canteen's school decides, not the student's (who may since have moved).
  const schoolId = (await repo.terminal(ctx.db, found.terminal_id))!.school_id!;
  assertSchoolAccess(caller, schoolId);
  const role = caller.role === 'operator' ? 'operator' : 'school_admin';
  const { fresh } = await refund(ctx, id, { role, id: caller.subjectId }, reason, requestId);
  if (!fresh) throw fail('CAMPUS_PURCHASE_REFUNDED', { purchaseId: id });
  const { items } = await repo.schoolPurchases(ctx.db, schoolId, { id }, { limit: 1, offset: 0 });
  return purchaseView(items[0]!);
}
