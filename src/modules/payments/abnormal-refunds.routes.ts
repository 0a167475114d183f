import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { adminRefundView, recordAbnormalRefund, recordOfflineTransfer, rerequestClosedRefund, sendAbnormalRefund } from './abnormal-refunds.js';
import { sendRefund } from './gateway-refunds.js';
import './payments.errors.js';
import { paymentsRepository as repo } from './payments.repository.js';
import { abnormalRefundSchema, adminRefundSchema, offlineTransferSchema, refundParams } from './payments.schemas.js';

type App = Parameters<FastifyPluginAsyncZod>[0];

const gatewayErrors = { 502: errorResponses[400], 503: errorResponses[400] };

/** The refund as it stands after the gateway was called (the answer to each action). */
async function currentRefund(ctx: AppContext, refundId: string) {
  const refund = await repo.findRefund(ctx.db, refundId);
  if (!refund) throw new Error(`refund ${refundId} vanished`);
  return adminRefundView(refund);
}

/**
 * Settling refunds the gateway gave up on (operators only): WeChat Pay's 异常退款, the offline
 * transfer after one paid into the merchant's bank account, and asking a CLOSED refund again.
 * Each records the decision idempotently (Idempotency-Key) and audited, then calls the gateway.
 */
export function abnormalRefundRoutes(ctx: AppContext, app: App): void {
  const common = { tags: ['payments'], security: bearer, params: refundParams };
  app.post('/admin/refunds/:refundId/abnormal-refund', {
    schema: {
      ...common, summary: '发起异常退款 (WeChat Pay ABNORMAL): to the payer’s bank card, or to the merchant’s bank account for an offline transfer (operators)',
      body: abnormalRefundSchema, response: { 200: adminRefundSchema, ...errorResponses, ...gatewayErrors },
    },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'operator');
    const { refundId } = request.params;
    await idempotentOperation(ctx, request, reply, 200, (c) => recordAbnormalRefund(c, caller, refundId, request.body, request.id));
    // Sent after the record commits, once: a replay (Idempotency-Key) answers the refund as it is
    // now, never sends the application again. A refusal puts it back to failed and answers the gateway's reason.
    if (reply.getHeader('idempotent-replayed') !== 'true') await sendAbnormalRefund(ctx, refundId, request.body);
    return currentRefund(ctx, refundId);
  });

  app.post('/admin/refunds/:refundId/offline-transfer', {
    schema: { ...common, summary: 'Record the offline transfer to the payer of a refund WeChat Pay paid into the merchant’s bank account (operators)', body: offlineTransferSchema, response: { 200: adminRefundSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'operator');
    return idempotentOperation(ctx, request, reply, 200, (c) => recordOfflineTransfer(c, caller, request.params.refundId, request.body, request.id));
  });

  app.post('/admin/refunds/:refundId/rerequest', {
    schema: { ...common, summary: '重新发起退款: a refund the gateway CLOSED asked again under a new number, for the same amount (operators)', response: { 201: adminRefundSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'operator');
    const created = await idempotentOperation(ctx, request, reply, 201, (c) => rerequestClosedRefund(c, caller, request.params.refundId, request.id));
    await sendRefund(ctx, created.id);
    return currentRefund(ctx, created.id);
  });
}
