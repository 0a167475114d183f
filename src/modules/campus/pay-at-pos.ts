import { hotWaterAllowed, hotWaterMinBalanceFen, needsConsumptionPin } from '../../domain/campus-payments.js';
import { maskCardNo, maskName } from '../../domain/masking.js';
import type { AppContext } from '../../platform/context.js';
import type { TerminalKind } from '../../platform/db/schema.js';
import { inTransaction, type Db, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { verifyConsumptionPin } from '../identity/change-password.js';
import { accountCodes, balanceOf, ensureAccount, findAccountByCode, postOwnedTransaction } from '../ledger/ledger.js';
import { operatorSlug } from '../transit/settle-batch.js';
import './campus.errors.js';
import { campusRepository as repo, type PurchaseContext, type PurchaseRow } from './campus.repository.js';
import { assertWithinDailyLimit } from './daily-limit.js';
import type { HotWaterDto, PosPurchase, PosPurchaseResult } from './campus.schemas.js';

/** The signed-in terminal, if it is an enabled one of `kind`. */
export async function terminalOfKind(ctx: AppContext, terminalId: string, kind: Extract<TerminalKind, 'pos' | 'reader' | 'network_gateway'>) {
  return assertTerminalOfKind(await repo.terminal(ctx.db, terminalId), terminalId, kind);
}

function assertTerminalOfKind<T extends { kind: TerminalKind; disabled_at: Date | null }>(terminal: T | undefined, terminalId: string, kind: TerminalKind): T {
  if (!terminal || terminal.disabled_at) throw fail('NOT_FOUND', { terminalId });
  if (terminal.kind !== kind) throw fail('CAMPUS_TERMINAL_KIND', { kind: terminal.kind, needed: kind });
  return terminal;
}

const methodOf = (request: Pick<PosPurchase, 'paymentCode'>) => (request.paymentCode !== undefined ? 'payment_code' : 'card');

/** The POS of a purchase context: an enabled terminal of kind `pos`. */
function posOf(context: PurchaseContext, terminalId: string) {
  const row = { id: context.terminal_id, code: context.terminal_code, kind: context.terminal_kind, operator: context.operator, school_id: context.terminal_school_id, disabled_at: context.terminal_disabled_at };
  return assertTerminalOfKind(row, terminalId, 'pos');
}

/** The campus card that pays: read at the POS, or named by a live payment code. */
function payingCard(context: PurchaseContext, request: Pick<PosPurchase, 'cardNo' | 'paymentCode'>, now: Date) {
  if ((request.cardNo === undefined) === (request.paymentCode === undefined)) throw fail('CAMPUS_PAYMENT_METHOD');
  if (request.paymentCode !== undefined && !codeIsLive(context, now)) throw fail('CAMPUS_PAYMENT_CODE_INVALID');
  const { card_id: id, card_no: cardNo, student_id: studentId, card_status: status } = context;
  // A lost card (and with it its payment code) pays nothing: loss disables both at once.
  if (!id || !cardNo || !studentId || context.card_product !== 'campus_card' || status !== 'active') throw fail('CAMPUS_CARD_NOT_USABLE', { status: status ?? null });
  if (!context.purse_id) throw fail('LEDGER_ACCOUNT_NOT_FOUND', { code: accountCodes.purse(id) });
  return { id, cardNo, studentId, purseId: context.purse_id, holderName: context.holder_name!, schoolId: context.holder_school_id!, purchaseLimitFen: context.campus_purchase_limit_fen! };
}

const codeIsLive = (context: PurchaseContext, now: Date) => context.code_card_id !== null && context.code_used_at === null && context.code_expires_at!.getTime() > now.getTime();

type PayingCard = ReturnType<typeof payingCard>;
type Pos = ReturnType<typeof posOf>;

/** The receipt of a purchase: the same on every retry. */
function receiptOf(row: PurchaseRow, holderName: string, cardNo: string | undefined): PosPurchaseResult {
  return {
    purchaseId: row.pos_purchase_id, amountFen: row.amount_fen, balanceAfterFen: row.balance_after_fen, method: row.method, pinChecked: row.pin_checked,
    holderNameMasked: maskName(holderName), cardNoMasked: maskCardNo(cardNo), at: row.at.toISOString(),
  };
}

/**
 * 食堂消费 (seed 004): a canteen POS charges a campus card, read at the counter or by the app's
 * payment code. Above the student's per-purchase limit the consumption password is asked for
 * (checked before the purchase's transaction, so wrong tries count toward throttling). The purse
 * pays the window's till (`merchant:<operator>:<terminal>`, accountCodes.till: windows do not
 * queue on one account at lunch) in one ledger transaction; a balance short of the amount is
 * INSUFFICIENT_FUNDS and a day taken past a parent's daily limit CAMPUS_DAILY_LIMIT, and neither
 * charges anything. The POS names each purchase itself: asking again with the same id answers the
 * stored purchase, never a second charge. Every round trip is latency a cashier waits on at noon,
 * so what can be read ahead is read in one statement, and the transaction only locks and writes
 * (decision 0007, "Round trips"; test/api/campus-pos-round-trips.test.ts counts them).
 */
export async function payAtPos(ctx: AppContext, terminalId: string, request: PosPurchase, source: string): Promise<PosPurchaseResult> {
  const context = await repo.purchaseContext(ctx.db, terminalId, request);
  if (!context) throw fail('NOT_FOUND', { terminalId });
  const terminal = posOf(context, terminalId);
  if (context.stored_id) return replayOf((await repo.purchaseOf(ctx.db, terminal.id, request.purchaseId))!, request, context);
  const card = payingCard(context, request, ctx.clock.now());
  // A canteen takes its own university's cards only.
  if (card.schoolId !== terminal.school_id) throw fail('CAMPUS_CARD_OTHER_SCHOOL');
  const pinChecked = needsConsumptionPin(request.amountFen, card.purchaseLimitFen);
  if (pinChecked) await verifyConsumptionPin(ctx, card.studentId, request.consumptionPin, source);
  const tillId = await tillOf(ctx, terminal);

  const { row, raced } = await inTransaction(ctx.db, async (tx) => {
    await repo.lockTerminal(tx, terminal.id);
    const first = await repo.purchaseOf(tx, terminal.id, request.purchaseId);
    if (first) return { row: first, raced: true };
    return { row: await charge(ctx, tx, { terminal, card, tillId, request, pinChecked }), raced: false };
  });
  return raced ? replayOf(row, request, context) : receiptOf(row, card.holderName, card.cardNo);
}

/**
 * The purchase itself, in its transaction under the terminal's lock: the code used up, the card
 * locked and still in use, the daily limit, the ledger transaction (with the purchase's audit row
 * beside the ledger's), the purchase row.
 */
async function charge(ctx: AppContext, tx: Tx, p: { terminal: Pos; card: PayingCard; tillId: string; request: PosPurchase; pinChecked: boolean }): Promise<PurchaseRow> {
  const { terminal, card, request, pinChecked } = p;
  if (request.paymentCode !== undefined && !(await repo.useCode(tx, request.paymentCode, ctx.clock.now()))) throw fail('CAMPUS_PAYMENT_CODE_INVALID');
  const locked = await repo.lockPayingCard(tx, card.id);
  if (!locked || locked.status !== 'active') throw fail('CAMPUS_CARD_NOT_USABLE', { status: locked?.status ?? null });
  // Stamped under the card's lock: a card's purchases are in time order as they commit (消费提醒 reads them so).
  const at = ctx.clock.now();
  if (locked.has_daily_limit) await assertWithinDailyLimit(tx, card.studentId, request.amountFen, at);
  const actor = { role: 'terminal' as const, id: terminal.id };
  const method = methodOf(request);
  const ledgerTransactionId = newId();
  const posted = await postOwnedTransaction(tx, ctx.clock, {
    id: ledgerTransactionId,
    idempotencyKey: `campus-purchase:${terminal.id}:${request.purchaseId}`,
    type: 'purchase',
    postings: [{ accountId: card.purseId, debitFen: request.amountFen }, { accountId: p.tillId, creditFen: request.amountFen }],
    memo: `消费 ${terminal.operator}`,
    metadata: { terminalId: terminal.id, terminalCode: terminal.code, purchaseId: request.purchaseId, method },
    actor,
    audit: [{
      actor, action: 'campus.purchase', entityType: 'card', entityId: card.id,
      after: { purchaseId: request.purchaseId, amountFen: request.amountFen, method, pinChecked, merchant: terminal.operator, ledgerTransactionId }, requestId: null,
    }],
  });
  return repo.insertPurchase(tx, {
    id: newId(), terminal_id: terminal.id, pos_purchase_id: request.purchaseId, card_id: card.id, student_id: card.studentId, method, amount_fen: request.amountFen,
    balance_after_fen: posted.balancesAfter.get(card.purseId)!.availableFen, pin_checked: pinChecked, merchant: terminal.operator, ledger_transaction_id: ledgerTransactionId, at,
  });
}

/** Till account ids per database: an account never changes id once opened. */
const tillIds = new WeakMap<Db, Map<string, string>>();

/**
 * The window's till, opened at its first sale in a statement of its own (committed, so a cached id
 * never names a rolled-back row), then known without a read, as transit's shared accounts are.
 */
async function tillOf(ctx: AppContext, terminal: Pos): Promise<string> {
  let cache = tillIds.get(ctx.db);
  if (!cache) tillIds.set(ctx.db, (cache = new Map()));
  const code = accountCodes.till(operatorSlug(terminal.operator), terminal.id);
  const cached = cache.get(code);
  if (cached) return cached;
  const till = await ensureAccount(ctx.db, ctx.clock, { code, type: 'merchant', actor: { role: 'terminal', id: terminal.id } });
  cache.set(code, till.id);
  return till.id;
}

/**
 * The same purchase id again: the stored purchase if it is the same purchase, else a conflict.
 * The card the request names was read with the context; when it is the stored purchase's card,
 * the receipt's holder and card number come from that read.
 */
function replayOf(stored: PurchaseRow, request: PosPurchase, context: PurchaseContext): PosPurchaseResult {
  const method = methodOf(request);
  const namedCardId = method === 'card' ? context.card_id : context.code_card_id;
  if (stored.amount_fen !== request.amountFen || stored.method !== method || namedCardId !== stored.card_id) throw fail('CAMPUS_PURCHASE_CONFLICT', { purchaseId: request.purchaseId });
  return receiptOf(stored, context.holder_name!, context.card_no!);
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
