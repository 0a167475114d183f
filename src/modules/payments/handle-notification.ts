import { isDomainError } from '../../domain/errors.js';
import type { AuditActor } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type Tx } from '../../platform/db/database.js';
import { newId } from '../../platform/ids.js';
import { fail } from '../../platform/errors.js';
import { bookRefundSucceeded, markRefundFailedAtGateway, sendOpenRefunds, sendRefund } from './gateway-refunds.js';
import type { GatewayName, GatewayNotice, NotifyReply, RefundNotice } from './gateways/gateway.js';
import { notificationVerifier } from './gateways/registry.js';
import { applyAgreementNotice } from './payment-agreements.js';
import { paymentsRepository as repo } from './payments.repository.js';
import { settlePayment, type SettleOutcome } from './settle-payment.js';

type Headers = Record<string, string | string[] | undefined>;

/** Headers kept with a notification for the record: what identifies and signs it, nothing else. */
const keptHeaders = ['content-type', 'user-agent', 'wechatpay-timestamp', 'wechatpay-nonce', 'wechatpay-signature', 'wechatpay-serial', 'wechatpay-signature-type'];

function headersForRecord(headers: Headers): Record<string, string> {
  return Object.fromEntries(keptHeaders.flatMap((name) => (typeof headers[name] === 'string' ? [[name, headers[name]]] : [])));
}

interface Received {
  gateway: GatewayName;
  headers: Headers;
  rawBody: string;
}

/**
 * A gateway's asynchronous notification: a payment, (WeChat Pay) a refund's outcome, or a
 * withholding agreement signed or ended (Alipay's 商户代扣, WeChat's 委托代扣: payment-agreements.ts). Before
 * anything else the signature, the app id / merchant id, then the order (or refund) and the
 * amount are checked; anything that fails credits nothing,
 * is stored with its raw body (verified = false when the signature failed) and logged, and the
 * gateway gets its failure reply. A notification id is processed once: a retry or a concurrent
 * copy is recorded as a duplicate and acknowledged. A payment that arrives for a closed order is
 * refunded through the gateway right after the notification commits.
 */
export async function handleNotification(ctx: AppContext, received: Received): Promise<NotifyReply> {
  const verifier = await notificationVerifier(ctx, received.gateway);
  let notice: GatewayNotice;
  try {
    notice = verifier.verify(received.headers, received.rawBody, ctx.clock.now());
  } catch (error) {
    if (!isDomainError(error)) throw error;
    await recordRefused(ctx, received, null, error.code);
    return verifier.rejected(error.code);
  }
  try {
    const { outcome, orderId, refundId } = await inTransaction(ctx.db, (tx) => processNotice(tx, ctx, received, notice));
    if (outcome === 'refund_requested' && orderId) await sendOpenRefunds(ctx, orderId);
    // A failure notified after a 异常退款 went out is checked with WeChat first (after the commit: no network in a transaction).
    if (outcome === 'refund_check' && refundId) await sendRefund(ctx, refundId);
    return verifier.accepted;
  } catch (error) {
    if (!isDomainError(error)) throw error;
    await recordRefused(ctx, received, notice, error.code);
    return verifier.rejected(error.code);
  }
}

type NoticeOutcome = { outcome: SettleOutcome | 'duplicate' | 'ignored' | 'refund_outcome' | 'refund_check' | 'agreement'; orderId: string | null; refundId?: string };

/**
 * What the stored notification row says of its subject: the order, the gateway's number and the
 * amount; for an agreement, our signing number and the gateway's agreement number.
 */
function noticeFields(notice: GatewayNotice) {
  switch (notice.kind) {
    case 'payment': return { order_no: notice.outTradeNo, trade_no: notice.tradeNo, amount_fen: notice.amountFen };
    case 'refund': return { order_no: notice.outTradeNo, trade_no: notice.gatewayRefundNo, amount_fen: notice.refundFen };
    case 'agreement': return { order_no: notice.externalAgreementNo, trade_no: notice.agreementNo, amount_fen: null };
  }
}

async function processNotice(tx: Tx, ctx: AppContext, received: Received, notice: GatewayNotice): Promise<NoticeOutcome> {
  const { clock } = ctx;
  const row = {
    id: newId(),
    gateway: received.gateway,
    notify_id: notice.notifyId,
    verified: true,
    error_code: null,
    ...noticeFields(notice),
    raw_headers: JSON.stringify(headersForRecord(received.headers)),
    raw_body: received.rawBody,
    received_at: clock.now(),
  };
  if (!(await repo.claimNotification(tx, { ...row, outcome: 'processed' }))) {
    await repo.insertNotification(tx, { ...row, id: newId(), outcome: 'duplicate' });
    return { outcome: 'duplicate', orderId: null };
  }
  const actor: AuditActor = { role: 'gateway', id: null };
  if (notice.kind === 'refund') return processRefundNotice(tx, clock, notice, actor);
  if (notice.kind === 'agreement') {
    await applyAgreementNotice(tx, ctx, notice);
    return { outcome: 'agreement', orderId: null };
  }
  // A status that is not a payment (Alipay WAIT_BUYER_PAY, TRADE_CLOSED) moves no money.
  if (!notice.paid) {
    await repo.setNotificationOutcome(tx, row.id, 'ignored');
    return { outcome: 'ignored', orderId: null };
  }
  return settlePayment(tx, clock, notice, actor, null);
}

/**
 * A refund's outcome. SUCCESS books it (once: the answer to the refund call may have booked it
 * already), where WeChat says the money went deciding how. ABNORMAL (the payer's account cannot
 * take the money) and CLOSED make it `failed`, the money still reserved, for an operator; after a
 * 异常退款 went out, only once WeChat's query confirms it (refund_check).
 */
async function processRefundNotice(tx: Tx, clock: Clock, notice: RefundNotice, actor: AuditActor): Promise<NoticeOutcome> {
  const refund = await repo.findRefundByRequestNo(tx, notice.gateway, notice.outRequestNo);
  const order = refund && (await repo.findOrder(tx, refund.order_id));
  if (!refund || order?.order_no !== notice.outTradeNo) throw fail('NOTIFY_REFUND_UNKNOWN', { outRequestNo: notice.outRequestNo, orderNo: notice.outTradeNo });
  if (notice.refundFen !== refund.amount_fen) throw fail('NOTIFY_REFUND_AMOUNT_MISMATCH', { refundId: refund.id, expectedFen: refund.amount_fen, notifiedFen: notice.refundFen });
  if (notice.status === 'SUCCESS') {
    await bookRefundSucceeded(tx, clock, refund.id, { gatewayRefundNo: notice.gatewayRefundNo, receivedAccount: notice.receivedAccount }, actor);
    return { outcome: 'refund_outcome', orderId: refund.order_id };
  }
  const failed = await markRefundFailedAtGateway(tx, clock, refund.id, { status: notice.status, gatewayRefundNo: notice.gatewayRefundNo, via: 'notification' }, actor);
  return { outcome: failed === 'check' ? 'refund_check' : 'refund_outcome', orderId: refund.order_id, refundId: refund.id };
}

/** A refused notification is kept (outside the failed transaction) and logged for an operator. */
async function recordRefused(ctx: AppContext, received: Received, notice: GatewayNotice | null, code: string): Promise<void> {
  ctx.logger.warn({ gateway: received.gateway, code, notifyId: notice?.notifyId, kind: notice?.kind }, 'payment notification refused');
  await repo.insertNotification(ctx.db, {
    id: newId(),
    gateway: received.gateway,
    notify_id: notice?.notifyId ?? null,
    verified: notice !== null,
    outcome: 'rejected',
    error_code: code,
    ...(notice ? noticeFields(notice) : { order_no: null, trade_no: null, amount_fen: null }),
    raw_headers: JSON.stringify(headersForRecord(received.headers)),
    raw_body: received.rawBody,
    received_at: ctx.clock.now(),
  });
}
