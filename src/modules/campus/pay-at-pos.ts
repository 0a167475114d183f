import { hotWaterAllowed, hotWaterMinBalanceFen, needsConsumptionPin } from '../../domain/campus-payments.js';
import { maskCardNo, maskName } from '../../domain/masking.js';
import { recordAudit } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import type { TerminalKind } from '../../platform/db/schema.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { verifyConsumptionPin } from '../identity/change-password.js';
import { accountCodes, balanceOf, ensureAccount, findAccountByCode, postTransaction } from '../ledger/ledger.js';
import { operatorSlug } from '../transit/settle-batch.js';
import './campus.errors.js';
import { campusRepository as repo, type PurchaseRow } from './campus.repository.js';
import { assertWithinDailyLimit } from './daily-limit.js';
import type { HotWaterDto, PosPurchase, PosPurchaseResult } from './campus.schemas.js';

/** The signed-in terminal, if it is an enabled one of `kind`. */
export async function terminalOfKind(ctx: AppContext, terminalId: string, kind: Extract<TerminalKind, 'pos' | 'reader' | 'network_gateway'>) {
  const terminal = await repo.terminal(ctx.db, terminalId);
  if (!terminal || terminal.disabled_at) throw fail('NOT_FOUND', { terminalId });
  if (terminal.kind !== kind) throw fail('CAMPUS_TERMINAL_KIND', { kind: terminal.kind, needed: kind });
  return terminal;
}

const methodOf = (request: Pick<PosPurchase, 'paymentCode'>) => (request.paymentCode !== undefined ? 'payment_code' : 'card');

/** The campus card that pays: read at the POS, or named by a live payment code. */
async function payingCard(ctx: AppContext, request: Pick<PosPurchase, 'cardNo' | 'paymentCode'>) {
  if ((request.cardNo === undefined) === (request.paymentCode === undefined)) throw fail('CAMPUS_PAYMENT_METHOD');
  let card;
  if (request.paymentCode !== undefined) {
    const code = await repo.findCode(ctx.db, request.paymentCode);
    if (!code || code.used_at || code.expires_at.getTime() <= ctx.clock.now().getTime()) throw fail('CAMPUS_PAYMENT_CODE_INVALID');
    card = await cardsRepository.findCard(ctx.db, code.card_id);
  } else {
    card = await cardsRepository.findCardByNo(ctx.db, request.cardNo!);
  }
  // A lost card (and with it its payment code) pays nothing: loss disables both at once.
  if (!card || card.product !== 'campus_card' || card.status !== 'active') throw fail('CAMPUS_CARD_NOT_USABLE', { status: card?.status ?? null });
  return card;
}

/** The receipt of a purchase: the same on every retry. */
function receiptOf(row: PurchaseRow, holderName: string, cardNo: string | undefined): PosPurchaseResult {
  return {
    purchaseId: row.pos_purchase_id, amountFen: row.amount_fen, balanceAfterFen: row.balance_after_fen, method: row.method, pinChecked: row.pin_checked,
    holderNameMasked: maskName(holderName), cardNoMasked: maskCardNo(cardNo), at: row.at.toISOString(),
  };
}

/** The receipt of a stored purchase, its card and holder read again. */
async function answerFor(ctx: AppContext, row: PurchaseRow): Promise<PosPurchaseResult> {
  const [card, payer] = await Promise.all([cardsRepository.findCard(ctx.db, row.card_id), repo.payer(ctx.db, row.student_id)]);
  return receiptOf(row, payer.name, card?.card_no);
}

/**
 * 食堂消费 (seed 004): a canteen POS charges a campus card, read at the counter or by the app's
 * payment code. Above the student's per-purchase limit the consumption password is asked for
 * (checked before the purchase's transaction, so wrong tries count toward throttling). The purse
 * pays the window's till (`merchant:<operator>:<terminal>`, accountCodes.till: windows do not
 * queue on one account at lunch) in one ledger transaction; a balance short of the amount is
 * INSUFFICIENT_FUNDS and a day taken past a parent's daily limit CAMPUS_DAILY_LIMIT, and neither
 * charges anything. The POS names each purchase itself: asking again with the same id answers the
 * stored purchase, never a second charge.
 */
export async function payAtPos(ctx: AppContext, terminalId: string, request: PosPurchase, source: string): Promise<PosPurchaseResult> {
  const terminal = await terminalOfKind(ctx, terminalId, 'pos');
  const stored = await repo.purchaseOf(ctx.db, terminal.id, request.purchaseId);
  if (stored) return replayOf(ctx, stored, request);
  const card = await payingCard(ctx, request);
  const payer = await repo.payer(ctx.db, card.student_id);
  // A canteen takes its own university's cards only.
  if (payer.school_id !== terminal.school_id) throw fail('CAMPUS_CARD_OTHER_SCHOOL');
  const pinChecked = needsConsumptionPin(request.amountFen, payer.campus_purchase_limit_fen);
  if (pinChecked) await verifyConsumptionPin(ctx, card.student_id, request.consumptionPin, source);
  const actor = { role: 'terminal' as const, id: terminal.id };
  const method = methodOf(request);

  const { row, raced } = await inTransaction(ctx.db, async (tx) => {
    await repo.lockTerminal(tx, terminal.id);
    const first = await repo.purchaseOf(tx, terminal.id, request.purchaseId);
    if (first) return { row: first, raced: true };
    const now = ctx.clock.now();
    if (request.paymentCode !== undefined) {
      const code = await repo.lockCode(tx, request.paymentCode);
      if (!code || code.used_at || code.expires_at.getTime() <= now.getTime()) throw fail('CAMPUS_PAYMENT_CODE_INVALID');
      await repo.markCodeUsed(tx, code.code, now);
    }
    const locked = await cardsRepository.lockCard(tx, card.id);
    if (!locked || locked.status !== 'active') throw fail('CAMPUS_CARD_NOT_USABLE', { status: locked?.status ?? null });
    // Stamped under the card's lock: a card's purchases are in time order as they commit (消费提醒 reads them so).
    const at = ctx.clock.now();
    await assertWithinDailyLimit(tx, card.student_id, request.amountFen, at);
    const purse = await findAccountByCode(tx, accountCodes.purse(card.id));
    const merchant = await ensureAccount(tx, ctx.clock, { code: accountCodes.till(operatorSlug(terminal.operator), terminal.id), type: 'merchant', actor });
    const txn = await postTransaction(tx, ctx.clock, {
      idempotencyKey: `campus-purchase:${terminal.id}:${request.purchaseId}`,
      type: 'purchase',
      postings: [{ accountId: purse.id, debitFen: request.amountFen }, { accountId: merchant.id, creditFen: request.amountFen }],
      memo: `消费 ${terminal.operator}`,
      metadata: { terminalId: terminal.id, terminalCode: terminal.code, purchaseId: request.purchaseId, method },
      actor,
    });
    const purchase = {
      id: newId(), terminal_id: terminal.id, pos_purchase_id: request.purchaseId, card_id: card.id, student_id: card.student_id, method, amount_fen: request.amountFen,
      balance_after_fen: (await balanceOf(tx, purse.id)).availableFen, pin_checked: pinChecked, merchant: terminal.operator, ledger_transaction_id: txn.id, at,
    } as const;
    const stored = await repo.insertPurchase(tx, purchase);
    await recordAudit(tx, ctx.clock, {
      actor, action: 'campus.purchase', entityType: 'card', entityId: card.id,
      after: { purchaseId: request.purchaseId, amountFen: request.amountFen, method, pinChecked, merchant: terminal.operator, ledgerTransactionId: txn.id }, requestId: null,
    });
    return { row: stored, raced: false };
  });
  return raced ? replayOf(ctx, row, request) : receiptOf(row, payer.name, card.card_no);
}

/** The same purchase id again: the stored purchase if it is the same purchase, else a conflict. */
async function replayOf(ctx: AppContext, stored: PurchaseRow, request: PosPurchase): Promise<PosPurchaseResult> {
  const method = methodOf(request);
  const sameCard =
    method === 'card'
      ? (await cardsRepository.findCard(ctx.db, stored.card_id))?.card_no === request.cardNo
      : (await repo.findCode(ctx.db, request.paymentCode!))?.card_id === stored.card_id;
  if (stored.amount_fen !== request.amountFen || stored.method !== method || !sameCard) throw fail('CAMPUS_PURCHASE_CONFLICT', { purchaseId: request.purchaseId });
  return answerFor(ctx, stored);
}

/**
 * 热水取水 (seed 004): the dorm reader asks before letting water run. Water is free for now, but
 * only a campus card in use whose account holds at least ¥0.10 draws it.
 */
export async function hotWaterCheck(ctx: AppContext, terminalId: string, cardNo: string): Promise<HotWaterDto> {
  const reader = await terminalOfKind(ctx, terminalId, 'reader');
  const card = await cardsRepository.findCardByNo(ctx.db, cardNo);
  const usable = card && card.product === 'campus_card' && card.status === 'active' && (await repo.payer(ctx.db, card.student_id)).school_id === reader.school_id;
  if (!card || !usable) return { allowed: false, reason: 'card_not_usable', minBalanceFen: hotWaterMinBalanceFen };
  const balance = await balanceOf(ctx.db, (await findAccountByCode(ctx.db, accountCodes.purse(card.id))).id);
  const allowed = hotWaterAllowed(balance.availableFen);
  return { allowed, reason: allowed ? 'ok' : 'balance_low', minBalanceFen: hotWaterMinBalanceFen };
}
