import { sql } from 'kysely';
import { autoTopUpAmountsValid, autoTopUpHours, autoTopUpLimits, fitsMonthlyCap, type AutoTopUpFailure } from '../../domain/auto-top-up.js';
import { addDays, beijingMinute, shanghaiDate } from '../../domain/calendar.js';
import { maskCardNo, maskName } from '../../domain/masking.js';
import { formatYuan } from '../../domain/money.js';
import { assertBoundParent, lockBinding } from '../../platform/access.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { constraintError, fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { expiryGraceDays } from '../../domain/validity.js';
import { topUpBlock, topUpProducts } from '../cards/card-view.js';
import { accountCodes, balanceOf, findAccountByCode, purseAvailableSql, purseJoinCondition } from '../ledger/ledger.js';
import type { AutoTopUpRunStatus } from './auto-top-up.tables.js';
import { closeOrder } from './cancel-order.js';
import { queryTrades } from './confirm-order.js';
import type { GatewayName } from './gateways/gateway.js';
import { insertAutoTopUpOrder } from './create-order.js';
import { agreementClient } from './gateways/registry.js';
import { onOrderFulfilled } from './order-hooks.js';
import { autoTopUpCreator } from './order-rules.js';
import { recordPaymentAttempt } from './pay-order.js';
import { agreementProductNames, checkEndedSignings, endAgreementRow, enqueueUnsign, liveAgreement } from './payment-agreements.js';
import './payments.errors.js';
import { paymentsRepository as repo } from './payments.repository.js';
import { sendOpenRefunds } from './gateway-refunds.js';
import { settlePayment, settleReportedPayments } from './settle-payment.js';

/**
 * 自动充值 (domain rules, "What users ask for" 4: auto top-up on a parent dashboard): a bound
 * parent with a signed withholding agreement (payment-agreements.ts) names two amounts for a
 * child: when the available balance of a card of the child in use falls below the first, a job
 * tops it up by the second, charging the parent's Alipay or WeChat Pay through the agreement. Each charge is an
 * ordinary top-up order (the parent sees it among the orders, it can be invoiced and refunded), and
 * it settles through the same path as a payment at the cashier (settle-payment.ts), so a
 * notification or a query that reports it again books nothing twice. At most one per card and
 * Beijing day (a unique key), and the parent is texted of every charge, paid or not.
 */

export interface AutoTopUpView {
  /** Null: not set. */
  thresholdFen: number | null;
  amountFen: number | null;
  /** At most this much a Beijing month; null: no cap. */
  monthlyCapFen: number | null;
  /** Charged, or being charged, for the child this Beijing month (failed charges cost nothing). */
  monthChargedFen: number;
  /** The parent's withholding agreement is signed: without one nothing is charged. */
  agreementActive: boolean;
  /** The last charges for this child, newest first. */
  recent: { at: string; cardNoMasked: string; amountFen: number; status: AutoTopUpRunStatus; failure: string | null }[];
}

const assertParentOf = (ctx: AppContext, caller: Caller, studentId: string) => assertBoundParent(ctx.db, caller, studentId, 'AUTO_TOP_UP_PARENT_ONLY');

export async function getAutoTopUp(ctx: AppContext, caller: Caller, studentId: string): Promise<AutoTopUpView> {
  await assertParentOf(ctx, caller, studentId);
  const setting = await ctx.db.selectFrom('auto_top_ups').select(['threshold_fen', 'amount_fen', 'monthly_cap_fen']).where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).executeTakeFirst();
  const agreement = await liveAgreement(ctx.db, caller.subjectId);
  const runs = await ctx.db.selectFrom('auto_top_up_runs as r').innerJoin('cards as c', 'c.id', 'r.card_id').innerJoin('payment_orders as o', 'o.id', 'r.order_id')
    .select(['r.created_at', 'c.card_no', 'o.amount_fen', 'r.status', 'r.failure'])
    .where('r.parent_id', '=', caller.subjectId).where('r.student_id', '=', studentId).orderBy('r.created_at', 'desc').limit(5).execute();
  return {
    thresholdFen: setting?.threshold_fen ?? null,
    amountFen: setting?.amount_fen ?? null,
    monthlyCapFen: setting?.monthly_cap_fen ?? null,
    monthChargedFen: await chargedThisMonth(ctx.db, caller.subjectId, studentId, shanghaiDate(ctx.clock.now())),
    agreementActive: agreement?.status === 'active',
    recent: runs.map((r) => ({ at: r.created_at.toISOString(), cardNoMasked: maskCardNo(r.card_no), amountFen: r.amount_fen, status: r.status, failure: r.failure })),
  };
}

/** What the parent's auto top-up charged, or is charging, for the child in the Beijing month of `today`. */
async function chargedThisMonth(db: DbOrTx, parentId: string, studentId: string, today: string): Promise<number> {
  const { total } = await db.selectFrom('auto_top_up_runs as r').innerJoin('payment_orders as o', 'o.id', 'r.order_id')
    .select(sql<string>`coalesce(sum(o.amount_fen), 0)`.as('total'))
    .where('r.parent_id', '=', parentId).where('r.student_id', '=', studentId).where('r.day', '>=', monthStart(today)).where('r.status', 'in', ['charging', 'paid'])
    .executeTakeFirstOrThrow();
  return Number(total);
}

/** Sets (or changes) the amounts and the monthly cap; needs a signed agreement. */
export async function setAutoTopUp(ctx: AppContext, caller: Caller, studentId: string, input: { thresholdFen: number; amountFen: number; monthlyCapFen?: number | null | undefined }, requestId: string): Promise<AutoTopUpView> {
  await assertParentOf(ctx, caller, studentId);
  const amounts = { thresholdFen: input.thresholdFen, amountFen: input.amountFen, monthlyCapFen: input.monthlyCapFen ?? null };
  if (!autoTopUpAmountsValid(amounts)) throw fail('AUTO_TOP_UP_AMOUNT', { ...amounts, ...autoTopUpLimits });
  const { thresholdFen, amountFen, monthlyCapFen } = amounts;
  await inTransaction(ctx.db, async (tx) => {
    await lockBinding(tx, caller.subjectId, studentId);
    const agreement = await liveAgreement(tx, caller.subjectId);
    if (agreement?.status !== 'active') throw fail('AUTO_TOP_UP_NO_AGREEMENT');
    const before = await tx.selectFrom('auto_top_ups').select(['threshold_fen', 'amount_fen', 'monthly_cap_fen']).where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).forUpdate().executeTakeFirst();
    const now = ctx.clock.now();
    // A new cap may be reached again this month: the parent is told again.
    const values = { threshold_fen: thresholdFen, amount_fen: amountFen, monthly_cap_fen: monthlyCapFen, cap_texted_month: null, updated_at: now };
    await tx.insertInto('auto_top_ups').values({ parent_id: caller.subjectId, student_id: studentId, ...values })
      .onConflict((oc) => oc.columns(['parent_id', 'student_id']).doUpdateSet(values)).execute();
    await recordAudit(tx, ctx.clock, {
      actor: { role: caller.role, id: caller.subjectId }, action: 'payments.auto_top_up.set', entityType: 'student', entityId: studentId,
      before: before ? { thresholdFen: before.threshold_fen, amountFen: before.amount_fen, monthlyCapFen: before.monthly_cap_fen } : null, after: amounts, requestId,
    });
  });
  return getAutoTopUp(ctx, caller, studentId);
}

export async function removeAutoTopUp(ctx: AppContext, caller: Caller, studentId: string, requestId: string): Promise<AutoTopUpView> {
  await assertParentOf(ctx, caller, studentId);
  await inTransaction(ctx.db, async (tx) => {
    const removed = await tx.deleteFrom('auto_top_ups').where('parent_id', '=', caller.subjectId).where('student_id', '=', studentId).returning(['threshold_fen', 'amount_fen', 'monthly_cap_fen']).executeTakeFirst();
    if (removed) {
      await recordAudit(tx, ctx.clock, {
        actor: { role: caller.role, id: caller.subjectId }, action: 'payments.auto_top_up.removed', entityType: 'student', entityId: studentId,
        before: { thresholdFen: removed.threshold_fen, amountFen: removed.amount_fen, monthlyCapFen: removed.monthly_cap_fen }, requestId,
      });
    }
  });
  return getAutoTopUp(ctx, caller, studentId);
}

// ---- the job ---------------------------------------------------------------------------------

interface DueCard {
  parent_id: string;
  student_id: string;
  threshold_fen: number;
  amount_fen: number;
  card_id: string;
  agreement_id: string;
  agreement_gateway: GatewayName;
  external_agreement_no: string;
  agreement_no: string;
  gateway_base_url: string;
  notify_url: string;
  balance_fen: number;
  monthly_cap_fen: number | null;
  /** Charged or being charged for the child this Beijing month, when the cards were looked up. */
  month_charged_fen: number;
}

const available = purseAvailableSql('a');
const purseOfCard = purseJoinCondition('a', 'c.id');

/**
 * Cards in use of enrolled children (one who left is offered 退卡退资 instead) with an auto top-up whose parent's agreement is signed, below the
 * threshold, that can be topped up (not expired past their grace period), not charged today, and
 * with no charge still waiting for its outcome: one the gateway took (or WeChat Pay is still
 * making: 扣款中) but has not reported yet would otherwise be charged again.
 */
async function dueCards(ctx: AppContext, today: string): Promise<DueCard[]> {
  const { rows } = await sql<DueCard>`
    select t.parent_id, t.student_id, t.threshold_fen, t.amount_fen, t.monthly_cap_fen, c.id as card_id,
           pa.id as agreement_id, pa.gateway as agreement_gateway, pa.external_agreement_no, pa.agreement_no, pa.gateway_base_url, pa.notify_url, ${available} as balance_fen,
           coalesce((select sum(o.amount_fen) from auto_top_up_runs r join payment_orders o on o.id = r.order_id
                     where r.parent_id = t.parent_id and r.student_id = t.student_id and r.day >= ${monthStart(today)} and r.status in ('charging', 'paid')), 0) as month_charged_fen
    from auto_top_ups t
    join students s on s.id = t.student_id and s.status = 'enrolled'
    join payment_agreements pa on pa.parent_id = t.parent_id and pa.status = 'active'
    join cards c on c.student_id = t.student_id and c.status = 'active' and c.product in (${sql.join([...topUpProducts])})
      and (c.valid_until is null or c.valid_until >= ${addDays(today, -expiryGraceDays)})
    join ledger_accounts a on ${purseOfCard}
    where ${available} < t.threshold_fen
      and not exists (select 1 from auto_top_up_runs r where r.card_id = c.id and (r.day = ${today} or r.status = 'charging'))
    order by t.parent_id, c.id`.execute(ctx.db);
  return rows.map((r) => ({ ...r, balance_fen: Number(r.balance_fen), month_charged_fen: Number(r.month_charged_fen), monthly_cap_fen: r.monthly_cap_fen === null ? null : Number(r.monthly_cap_fen) }));
}

/** The first day of the Beijing month of `today` ('2026-12-07' → '2026-12-01'). */
const monthStart = (today: string) => `${today.slice(0, 8)}01`;

const autoTopUpActor: AuditActor = { role: autoTopUpCreator, id: null };

export interface AutoTopUpRun {
  charged: number;
  /** Accepted by the gateway and still being made (WeChat Pay's 受理扣款: 扣款中). */
  pending: number;
  failed: number;
  capped: number;
  texted: number;
}

/**
 * The job, every minute: asks the gateway about charges still being made, closes the book on
 * charges whose order was closed unpaid, asks the gateways whether agreements ended here while
 * signing were signed there after all (and has those unsigned), then, between 06:00 and 22:00 Beijing time, charges the
 * cards due and texts the parents of every charge finished since. One failure is logged and the
 * rest go on.
 */
export async function runAutoTopUps(ctx: AppContext): Promise<AutoTopUpRun> {
  await queryPendingCharges(ctx);
  await failUnpaidCharges(ctx);
  await checkEndedSigningsLogged(ctx);
  const now = ctx.clock.now();
  const hour = Number(beijingMinute(now).slice(11, 13));
  if (hour < autoTopUpHours.from || hour >= autoTopUpHours.to) return { charged: 0, pending: 0, failed: 0, capped: 0, texted: 0 };
  const today = shanghaiDate(now);
  let charged = 0;
  let pending = 0;
  let failed = 0;
  let capped = 0;
  for (const due of await dueCards(ctx, today)) {
    if (!fitsMonthlyCap(due.monthly_cap_fen, due.month_charged_fen, due.amount_fen)) {
      capped++;
      await textCapReached(ctx, due, today);
      continue;
    }
    try {
      const outcome = await charge(ctx, due, today);
      if (outcome === 'paid') charged++;
      if (outcome === 'pending') pending++;
      if (outcome === 'failed') failed++;
    } catch (error) {
      failed++;
      ctx.logger.error({ err: error, cardId: due.card_id }, 'auto top-up not charged; its order stays open for the gateway jobs');
    }
  }
  return { charged, pending, failed, capped, texted: await textFinishedCharges(ctx) };
}

/** Tells the parent, once a Beijing month, that the cap stopped a charge (claimed with the text, so racing runs text once). */
async function textCapReached(ctx: AppContext, due: DueCard, today: string): Promise<void> {
  const month = today.slice(0, 7);
  await inTransaction(ctx.db, async (tx) => {
    const claimed = await tx.updateTable('auto_top_ups').set({ cap_texted_month: month }).where('parent_id', '=', due.parent_id).where('student_id', '=', due.student_id)
      .where((eb) => eb.or([eb('cap_texted_month', 'is', null), eb('cap_texted_month', '<>', month)])).returning('monthly_cap_fen').executeTakeFirst();
    if (!claimed) return;
    const parent = await tx.selectFrom('parents').select('phone').where('id', '=', due.parent_id).executeTakeFirstOrThrow();
    const student = await tx.selectFrom('students').select('name').where('id', '=', due.student_id).executeTakeFirstOrThrow();
    await ctx.sms.send(tx, {
      phone: parent.phone,
      body: `【北京学生卡】本月已为您孩子${maskName(student.name)}自动充值 ${formatYuan(due.month_charged_fen)}，再充 ${formatYuan(due.amount_fen)} 将超过您设置的每月上限 ${formatYuan(claimed.monthly_cap_fen ?? 0)}，本月不再自动充值。余额不足时请在 App 中手动充值。`,
    });
  });
}

type ChargeOutcome = 'paid' | 'pending' | 'failed' | 'skipped';

async function charge(ctx: AppContext, due: DueCard, today: string): Promise<ChargeOutcome> {
  const placed = await placeOrder(ctx, due, today);
  if (!placed) return 'skipped';
  const gateway = due.agreement_gateway;
  const client = await agreementClient(ctx, gateway, due.gateway_base_url);
  // Throws when the outcome is unknown: the order stays open, and the gateway jobs ask the gateway.
  const result = await client.withhold({ outTradeNo: placed.orderNo, amountFen: due.amount_fen, subject: '北京学生卡自动充值', agreementNo: due.agreement_no, notifyUrl: due.notify_url });
  // Accepted and being made (WeChat Pay): 扣款中 until its notification, or the query below, reports it.
  if (result.ok === 'pending') return 'pending';
  if (result.ok) {
    // The fulfilled hook below marks the charge paid, whichever path reports the payment first. A
    // payment for an order closed meanwhile is refunded by settlement; failUnpaidCharges tells it.
    const { outcome } = await settlePayment(ctx.db, ctx.clock, { gateway, outTradeNo: placed.orderNo, tradeNo: result.tradeNo, amountFen: result.amountFen, paidAt: result.paidAt }, autoTopUpActor, null);
    if (outcome === 'refund_requested') await sendOpenRefunds(ctx, placed.orderId);
    return outcome === 'refund_requested' ? 'failed' : 'paid';
  }
  await inTransaction(ctx.db, async (tx) => {
    const order = await repo.lockOrder(tx, placed.orderId);
    if (order && (order.status === 'paying' || order.status === 'created')) await closeOrder(tx, ctx.clock, order.id, order.status, 'cancelled', autoTopUpActor, null, { reason: result.reason });
    await failRun(tx, ctx, placed.runId, result.reason);
    if (result.reason === 'agreement_invalid') {
      await endAgreementRow(tx, ctx, due.agreement_id, autoTopUpActor, `gateway: ${result.subCode}`, null);
      // Not in force at the gateway (gone, or paused by the parent there): unsigned too, so that nothing we no longer track stays signed.
      await enqueueUnsign(tx, ctx, { gateway, gatewayBaseUrl: due.gateway_base_url, externalAgreementNo: due.external_agreement_no, agreementNo: due.agreement_no });
    }
  });
  return 'failed';
}

/**
 * The order and its payment attempt, and the run that claims the card's charge for the day, in
 * one transaction under the binding's lock; nothing when the setting, the agreement or the
 * card changed since the look-up, or another run charged the card today.
 */
async function placeOrder(ctx: AppContext, due: DueCard, today: string): Promise<{ orderId: string; orderNo: string; runId: string } | null> {
  try {
    return await inTransaction(ctx.db, async (tx) => {
      const txCtx = { ...ctx, db: tx };
      await lockBinding(tx, due.parent_id, due.student_id);
      const setting = await tx.selectFrom('auto_top_ups').select(['threshold_fen', 'amount_fen', 'monthly_cap_fen']).where('parent_id', '=', due.parent_id).where('student_id', '=', due.student_id).executeTakeFirst();
      const agreement = await liveAgreement(tx, due.parent_id);
      const card = await tx.selectFrom('cards').selectAll().where('id', '=', due.card_id).forShare().executeTakeFirst();
      const open = await tx.selectFrom('auto_top_up_runs').select('id').where('card_id', '=', due.card_id).where('status', '=', 'charging').executeTakeFirst();
      const student = await tx.selectFrom('students').select('status').where('id', '=', due.student_id).executeTakeFirst();
      if (setting?.amount_fen !== due.amount_fen || agreement?.id !== due.agreement_id || agreement.status !== 'active' || !card || topUpBlock(card, ctx.clock) !== null || open || student?.status !== 'enrolled') return null;
      // Still low now (a top-up by hand may have landed since the look-up).
      const purse = await balanceOf(tx, (await findAccountByCode(tx, accountCodes.purse(card.id))).id);
      if (purse.availableFen >= setting.threshold_fen) return null;
      // Within the month's cap still (another card of the child may have been charged since the look-up).
      if (!fitsMonthlyCap(setting.monthly_cap_fen, await chargedThisMonth(tx, due.parent_id, due.student_id, today), setting.amount_fen)) return null;
      const order = await insertAutoTopUpOrder(txCtx, due.parent_id, card, due.amount_fen);
      await recordPaymentAttempt(txCtx, autoTopUpActor, { orderId: order.id, gateway: due.agreement_gateway, endpoint: due.gateway_base_url, cashierUrl: `agreement:${due.agreement_id}`, notifyUrl: due.notify_url }, null);
      const runId = newId();
      await tx.insertInto('auto_top_up_runs').values({
        id: runId, parent_id: due.parent_id, student_id: due.student_id, card_id: card.id, day: today, agreement_id: due.agreement_id, order_id: order.id,
        threshold_fen: setting.threshold_fen, balance_fen: purse.availableFen, status: 'charging', failure: null, created_at: ctx.clock.now(), finished_at: null, texted_at: null,
      }).execute();
      await recordAudit(tx, ctx.clock, {
        actor: autoTopUpActor, action: 'payments.auto_top_up.charging', entityType: 'card', entityId: card.id,
        after: { runId, orderId: order.id, parentId: due.parent_id, balanceFen: purse.availableFen, thresholdFen: setting.threshold_fen, amountFen: due.amount_fen }, requestId: null,
      });
      return { orderId: order.id, orderNo: order.orderNo, runId };
    });
  } catch (error) {
    // Another run charged the card today (they raced): it is that run's charge.
    if (constraintError(error)?.code === 'AUTO_TOP_UP_ALREADY_TODAY') return null;
    throw error;
  }
}

async function failRun(tx: DbOrTx, ctx: AppContext, runId: string, failure: string): Promise<void> {
  await tx.updateTable('auto_top_up_runs').set({ status: 'failed', failure, finished_at: ctx.clock.now() }).where('id', '=', runId).where('status', '=', 'charging').execute();
}

/** Agreements ended here while signing, asked about at their gateway (payment-agreements.ts); a failure is logged, and the charging goes on. */
async function checkEndedSigningsLogged(ctx: AppContext): Promise<void> {
  try {
    await checkEndedSignings(ctx);
  } catch (error) {
    ctx.logger.warn({ err: error }, 'agreements ended while signing not checked with their gateway; asked again next run');
  }
}

/** How long a charge may stay 扣款中 before the job asks the gateway about it (WeChat Pay usually charges within seconds and notifies). */
export const chargeQueryAfterMs = 2 * 60_000;
/** How many 扣款中 charges one run asks about; the rest wait for the next run, a minute later. */
const pendingChargeQueriesPerRun = 50;

/**
 * Charges still being made (扣款中) for a while are asked about (WeChat Pay's query by
 * out_trade_no, outside any transaction): one the gateway reports paid is settled as a
 * notification would settle it; one it reports failed or closed (PAYERROR: the payer's account
 * could not pay) is cancelled here, the run failed, and the parent texted. One still pending, or
 * unknown at the gateway, is left: the order expiry job asks again before closing it.
 */
async function queryPendingCharges(ctx: AppContext): Promise<void> {
  const before = new Date(ctx.clock.now().getTime() - chargeQueryAfterMs);
  const waiting = await ctx.db.selectFrom('auto_top_up_runs as r').innerJoin('payment_orders as o', 'o.id', 'r.order_id').select(['r.id as runId', 'o.id as orderId'])
    .where('r.status', '=', 'charging').where('o.status', '=', 'paying').where('r.created_at', '<=', before)
    // A bounded pass, oldest first: a gateway that is down must not hold up the run's charging for hours.
    .orderBy('r.created_at').limit(pendingChargeQueriesPerRun).execute();
  for (const { runId, orderId } of waiting) {
    try {
      const order = await repo.findOrder(ctx.db, orderId);
      if (!order) continue;
      const { answers, paid } = await queryTrades(ctx, order);
      if (paid.length > 0) {
        await settleReportedPayments(ctx, order.id, paid);
        continue;
      }
      if (answers.length === 0 || !answers.every((a) => a.state === 'closed')) continue;
      await inTransaction(ctx.db, async (tx) => {
        const locked = await repo.lockOrder(tx, order.id);
        if (locked?.status !== 'paying') return;
        await closeOrder(tx, ctx.clock, locked.id, locked.status, 'cancelled', autoTopUpActor, null, { reason: 'payment_failed' });
        await failRun(tx, ctx, runId, 'payment_failed');
      });
    } catch (error) {
      ctx.logger.warn({ err: error, runId }, 'auto top-up charge not checked with the gateway; asked again next run');
    }
  }
}

/**
 * A charge whose order was closed before it was paid failed: unconfirmed (its outcome was unknown,
 * and the gateway reported no payment before the order closed), or, once the gateway reports a
 * payment after the order closed (settlement keeps it for a refund), refunding, then refunded when
 * the gateway confirms every refund of the order; refund_failed while a refund the gateway gave up
 * on (WeChat Pay ABNORMAL / CLOSED) waits for an operator (异常退款, or a CLOSED refund asked
 * again, which replaces it): refunding again meanwhile, refunded once the payer has the money
 * (for a 异常退款 into the merchant's bank account, once the offline transfer is recorded). A failed charge still unconfirmed, refunding or refund_failed
 * moves on in the same way when its late payment is reported or its refund confirmed, so the run
 * ends in its true state (the parent's text is sent once, when the run first finished).
 */
async function failUnpaidCharges(ctx: AppContext): Promise<void> {
  await sql`
    update auto_top_up_runs r
    set status = 'failed', finished_at = coalesce(r.finished_at, ${ctx.clock.now()}), failure = settled.failure
    from (
      select u.id, case
          when not exists (select 1 from payment_refunds f where f.order_id = u.order_id) then 'unconfirmed'
          when exists (select 1 from payment_refunds f where f.order_id = u.order_id and f.status = 'failed') then 'refund_failed'
          when exists (select 1 from payment_refunds f where f.order_id = u.order_id and f.status not in ('succeeded', 'superseded')) then 'refunding'
          else 'refunded' end as failure
      from auto_top_up_runs u
      join payment_orders o on o.id = u.order_id and o.status in ('cancelled', 'expired', 'refunded')
      where u.status = 'charging' or (u.status = 'failed' and u.failure in ('unconfirmed', 'refunding', 'refund_failed'))
    ) settled
    where r.id = settled.id and (r.status = 'charging' or r.failure <> settled.failure)`.execute(ctx.db);
}

const payerNames: Record<GatewayName, string> = { alipay: '支付宝', wechat: '微信支付' };

function failureText(gateway: GatewayName, failure: string | null): string {
  const texts: Record<AutoTopUpFailure, string> = {
    balance_not_enough: `${payerNames[gateway]}余额不足`,
    agreement_invalid: '免密代扣协议已失效，自动充值已关闭，请在 App 中重新开通',
    refused: `${payerNames[gateway]}拒绝了扣款`,
    payment_failed: `${payerNames[gateway]}扣款失败`,
    unconfirmed: '未能确认扣款结果；如已扣款，将原路退回',
    // Not 原路退回: after a refund WeChat gave up on, an operator's 异常退款 may send it to a bank card or via the merchant's account.
    refunding: '已扣款但未能充值，退款处理中',
    refund_failed: '已扣款但未能充值，原路退回未成功，客服将为您处理',
    refunded: '已扣款但未能充值，已退款',
  };
  return texts[failure as AutoTopUpFailure] ?? '扣款失败';
}

/** Texts each parent once per finished charge (recorded with the text, so racing runs text once). */
async function textFinishedCharges(ctx: AppContext): Promise<number> {
  const finished = await ctx.db.selectFrom('auto_top_up_runs as r')
    .innerJoin('parents as p', 'p.id', 'r.parent_id').innerJoin('students as s', 's.id', 'r.student_id').innerJoin('cards as c', 'c.id', 'r.card_id').innerJoin('payment_orders as o', 'o.id', 'r.order_id')
    .innerJoin('payment_agreements as pa', 'pa.id', 'r.agreement_id')
    .select(['r.id', 'r.status', 'r.failure', 'r.threshold_fen', 'p.phone', 's.name', 'c.card_no', 'o.amount_fen', 'pa.gateway'])
    .where('r.status', 'in', ['paid', 'failed']).where('r.texted_at', 'is', null).execute();
  let texted = 0;
  for (const run of finished) {
    const whose = `您孩子${maskName(run.name)}的学生卡（尾号 ${run.card_no.slice(-4)}）`;
    const body = run.status === 'paid'
      ? `【北京学生卡】${whose}余额低于 ${formatYuan(run.threshold_fen)}，已为其自动充值 ${formatYuan(run.amount_fen)}（${agreementProductNames[run.gateway]}）。`
      : `【北京学生卡】${whose}余额低于 ${formatYuan(run.threshold_fen)}，自动充值 ${formatYuan(run.amount_fen)} 未成功：${failureText(run.gateway, run.failure)}。请在 App 中手动充值。`;
    await inTransaction(ctx.db, async (tx) => {
      const claimed = await tx.updateTable('auto_top_up_runs').set({ texted_at: ctx.clock.now() }).where('id', '=', run.id).where('texted_at', 'is', null).returning('id').executeTakeFirst();
      if (!claimed) return;
      await ctx.sms.send(tx, { phone: run.phone, body });
      texted++;
    });
  }
  return texted;
}

// An auto top-up's order is paid (by the job's own answer from Alipay, a notification or a query): its charge is paid.
onOrderFulfilled(async (tx, clock, order) => {
  if (order.kind !== 'top_up' || order.created_by_role !== autoTopUpActor.role) return;
  await tx.updateTable('auto_top_up_runs').set({ status: 'paid', failure: null, finished_at: clock.now() }).where('order_id', '=', order.id).where('status', '<>', 'paid').execute();
});
