import type { CardProduct } from '../../domain/card-lifecycle.js';
import { assertStudentAccess } from '../../platform/access.js';
import { accessibleCard } from '../cards/card-access.js';
import { topUpBlock } from '../cards/card-view.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { assertPaymentWindowOpen } from '../calendar/calendar.js';
import { verifyQueryPassword } from '../identity/change-password.js';
import { networkTopUpMaxFen, networkTopUpMinFen } from '../../domain/campus-payments.js';
import '../campus/campus.errors.js';
import { assertTopUpAmount, autoTopUpCreator, feeByCode, orderNoOf, orderTtlMs, topUpItemOf } from './order-rules.js';
import { orderView, type OrderView } from './order-view.js';
import { paymentsRepository as repo } from './payments.repository.js';
import type { OrderItem, OrderKind } from './payments.tables.js';

interface NewOrder {
  kind: OrderKind;
  studentId: string;
  cardId: string | null;
  amountFen: number;
  item: OrderItem;
}

/** Who placed an order: a signed-in caller, or the auto top-up acting on a parent's standing instruction. */
interface OrderCreator {
  role: string;
  id: string;
}

const creatorOf = (caller: Caller): OrderCreator => ({ role: caller.role, id: caller.subjectId });

/** Run inside the request's transaction (idempotentOperation), so the order and its audit row commit together. */
async function insertOrder(ctx: AppContext, creator: OrderCreator, order: NewOrder, requestId: string | null): Promise<OrderView> {
  const now = ctx.clock.now();
  const id = newId();
  await repo.insertOrder(ctx.db, {
    id,
    order_no: orderNoOf(id),
    kind: order.kind,
    student_id: order.studentId,
    card_id: order.cardId,
    created_by_role: creator.role,
    created_by: creator.id,
    amount_fen: order.amountFen,
    item: JSON.stringify(order.item),
    status: 'created',
    gateway: null,
    gateway_trade_no: null,
    paid_at: null,
    expires_at: new Date(now.getTime() + orderTtlMs),
    closed_at: null,
    created_at: now,
    updated_at: now,
  });
  const created = await repo.findOrder(ctx.db, id);
  if (!created) throw fail('ORDER_NOT_FOUND', { orderId: id });
  await recordAudit(ctx.db, ctx.clock, {
    actor: creator,
    action: 'payments.order.created',
    entityType: 'payment_order',
    entityId: id,
    after: { orderNo: created.order_no, kind: order.kind, studentId: order.studentId, cardId: order.cardId, amountFen: order.amountFen },
    requestId,
  });
  return orderView(created, ctx.clock);
}

/**
 * A campus card is topped up with its holder's query password (seed 004: 输入金额和查询密码).
 * Checked before the order's transaction, so that a wrong password counts toward throttling.
 */
export async function checkTopUpPassword(ctx: AppContext, caller: Caller, input: { cardId: string; queryPassword?: string | undefined }, source: string): Promise<void> {
  const card = await accessibleCard(ctx.db, caller, input.cardId);
  if (card.product === 'campus_card') await verifyQueryPassword(ctx, card.student_id, input.queryPassword, source);
}

/**
 * A top-up of a card's purse: a preset or any amount from ¥1 to ¥1000, only for a card in normal
 * status (not lost, returned, superseded by an e-card or expired: 贴卡充值 needs a valid card).
 */
export async function createTopUpOrder(ctx: AppContext, caller: Caller, input: { cardId: string; amountFen: number }, requestId: string): Promise<OrderView> {
  assertTopUpAmount(input.amountFen);
  const card = await accessibleCard(ctx.db, caller, input.cardId);
  const blocked = topUpBlock(card, ctx.clock);
  if (blocked) throw fail('CARD_NOT_TOP_UP_ABLE', { cardId: card.id, reason: blocked });
  const item = topUpItemOf(card.product, await repo.schoolName(ctx.db, card.school_id));
  return insertOrder(ctx, creatorOf(caller), { kind: 'top_up', studentId: card.student_id, cardId: card.id, amountFen: input.amountFen, item }, requestId);
}

/**
 * A top-up the auto top-up places for a parent (auto-top-up.ts), in its transaction: the same
 * order as the parent's own, created by `auto_top_up` on the parent's behalf. The job has
 * checked the card.
 */
export async function insertAutoTopUpOrder(ctx: AppContext, parentId: string, card: { id: string; student_id: string; school_id: string; product: CardProduct }, amountFen: number): Promise<OrderView> {
  assertTopUpAmount(amountFen);
  const item = topUpItemOf(card.product, await repo.schoolName(ctx.db, card.school_id));
  return insertOrder(ctx, { role: autoTopUpCreator, id: parentId }, { kind: 'top_up', studentId: card.student_id, cardId: card.id, amountFen, item }, null);
}

/**
 * 校园网充值 by Alipay or WeChat Pay (seed 004: 使用微信或校园卡账户为校园网充值): the student's own
 * campus network account, ¥1–¥200 at a time, as from the campus card. The wallet authenticates the
 * payer, so no query password is asked.
 */
export async function createNetworkTopUpOrder(ctx: AppContext, caller: Caller, input: { amountFen: number }, requestId: string): Promise<OrderView> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen < networkTopUpMinFen || input.amountFen > networkTopUpMaxFen) throw fail('CAMPUS_NETWORK_TOP_UP_AMOUNT', { amountFen: input.amountFen });
  const school = await repo.schoolOfStudent(ctx.db, caller.subjectId);
  if (school.stage !== 'university' && school.stage !== 'vocational') throw fail('FORBIDDEN');
  const item: OrderItem = { name: '校园网网费', projectName: null, feeCode: null, documentNo: null, payee: school.name };
  return insertOrder(ctx, creatorOf(caller), { kind: 'network_top_up', studentId: caller.subjectId, cardId: null, amountFen: input.amountFen, item }, requestId);
}

/**
 * 学费及重修费 by Alipay or WeChat Pay: the order for a university's bill (school-bills.ts checks
 * the bill and links it), payable at any time: the payment window is the card fees'.
 */
export async function insertSchoolBillOrder(ctx: AppContext, caller: Caller, bill: { studentId: string; amountFen: number; item: OrderItem }, requestId: string): Promise<OrderView> {
  return insertOrder(ctx, creatorOf(caller), { kind: 'school_bill', studentId: bill.studentId, cardId: null, amountFen: bill.amountFen, item: bill.item }, requestId);
}

/** A fee (today the ¥15 replacement card fee), only inside the payment window. */
export async function createFeeOrder(ctx: AppContext, caller: Caller, input: { studentId: string; feeCode: string }, requestId: string): Promise<OrderView> {
  const fee = feeByCode(input.feeCode);
  await assertStudentAccess(ctx.db, caller, input.studentId);
  await assertPaymentWindowOpen(ctx.db, ctx.clock);
  return insertOrder(ctx, creatorOf(caller), { kind: 'fee', studentId: input.studentId, cardId: null, amountFen: fee.amountFen, item: fee.item }, requestId);
}
