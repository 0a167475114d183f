import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { childSettingRoutes } from '../shared/child-setting-routes.js';
import { bearer, errorResponses } from '../shared/http.js';
import { balanceRefundsOfCard, completeOutletRefund, getBalanceRefund, requestBalanceRefund } from './balance-refund.js';
import { abnormalRefundRoutes } from './abnormal-refunds.routes.js';
import { getAutoTopUp, removeAutoTopUp, setAutoTopUp } from './auto-top-up.js';
import { getBalanceAlert, removeBalanceAlert, setBalanceAlert } from './balance-alerts.js';
import { endAgreement, myAgreement, openAgreementSigning, prepareAgreementSigning, unsignAtGateway, type PreparedSigning } from './payment-agreements.js';
import { getSpendNotice, removeSpendNotice, setSpendNotice } from './spend-notices.js';
import { cancelOrder } from './cancel-order.js';
import { applyConfirmation, askGateways } from './confirm-order.js';
import { checkTopUpPassword, createFeeOrder, createNetworkTopUpOrder, createTopUpOrder } from './create-order.js';
import { sendOpenRefunds, sendRefund } from './gateway-refunds.js';
import { handleNotification } from './handle-notification.js';
import { keepRawBodies, originOf } from './http-helpers.js';
import { getInvoice, invoicePdf, redLetterPdf, requestInvoice } from './invoices.js';
import { getOrder, listOrders } from './list-orders.js';
import { fees, topUpMaxFen, topUpMinFen, topUpPresetsFen } from './order-rules.js';
import { preparePayment, recordPaymentAttempt } from './pay-order.js';
import './payments.errors.js';
import {
  agreementParams, agreementSigningSchema, autoTopUpSchema, paymentAgreementSchema, setAutoTopUpSchema, startAgreementSchema,
  balanceAlertSchema, spendNoticeSchema, setSpendNoticeSchema, balanceRefundListSchema, balanceRefundParams, setBalanceAlertSchema, balanceRefundQuerySchema, balanceRefundSchema, completeOutletRefundSchema, confirmationSchema, createFeeSchema, createNetworkTopUpSchema, createTopUpSchema, invoiceSchema, orderListQuerySchema, orderPageSchema,
  orderParams, orderSchema, payOrderSchema, paymentLinkSchema, redLetterParams, refundOrderSchema, refundSchema, reconciliationDateParams, reconciliationSchema, requestBalanceRefundSchema, requestInvoiceSchema, topUpOptionsSchema,
} from './payments.schemas.js';
import { reconcileDay, storedReconciliation } from './reconcile.js';
import { getRefund, refundOrder } from './refund-order.js';
import { sandboxRoutes } from './sandbox/sandbox.routes.js';

/** Orders, payment, confirmation, refunds, gateway notifications and (outside production) the sandbox gateway. */
export function paymentsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    orderRoutes(ctx, app);
    parentTextRoutes(ctx, app);
    autoTopUpRoutes(ctx, app);
    invoiceRoutes(ctx, app);
    refundRoutes(ctx, app);
    abnormalRefundRoutes(ctx, app);
    await app.register(notifyRoutes(ctx));
    if (ctx.config.env !== 'production') await app.register(sandboxRoutes(ctx));
  };
}

type App = Parameters<FastifyPluginAsyncZod>[0];

/** 余额提醒 and 消费提醒: a bound parent's text messages about a child's cards. */
function parentTextRoutes(ctx: AppContext, app: App): void {
  childSettingRoutes(ctx, app, {
    name: 'balance-alert', tag: 'payments', view: balanceAlertSchema, body: setBalanceAlertSchema,
    summaries: {
      get: '余额提醒: the amount below which the parent is texted (null: none)',
      put: '余额提醒: text the parent when a card of the child falls below the amount (¥1–¥500)',
      delete: '余额提醒: turn it off',
    },
    get: getBalanceAlert,
    set: (c, caller, studentId, body, requestId) => setBalanceAlert(c, caller, studentId, body.thresholdFen, requestId),
    remove: removeBalanceAlert,
  });
  childSettingRoutes(ctx, app, {
    name: 'spend-notice', tag: 'payments', view: spendNoticeSchema, body: setSpendNoticeSchema,
    summaries: {
      get: '消费提醒: the amount from which the parent is texted about purchases and rides (null: off)',
      put: '消费提醒: text the parent about the child’s canteen purchases and rides of at least the amount (¥0.01–¥500), from now on',
      delete: '消费提醒: turn it off',
    },
    get: getSpendNotice,
    set: (c, caller, studentId, body, requestId) => setSpendNotice(c, caller, studentId, body.minAmountFen, requestId),
    remove: removeSpendNotice,
  });
}

/** 自动充值: the parent's withholding agreement (Alipay or WeChat Pay), and the amounts per child. */
function autoTopUpRoutes(ctx: AppContext, app: App): void {
  const common = { tags: ['payments'], security: bearer };
  app.get('/me/payment-agreement', {
    schema: { ...common, summary: '免密代扣: the parent’s withholding agreement, Alipay’s or WeChat Pay’s (one still signing is checked with its gateway first); null when none', response: { 200: paymentAgreementSchema.nullable(), ...errorResponses } },
  }, async (request) => myAgreement(ctx, requireCaller(request, 'parent'), request.id));
  app.post('/me/payment-agreement', {
    schema: {
      ...common, summary: '开通免密代扣: a link to the signing page of Alipay (商户代扣) or WeChat Pay (委托代扣); one live agreement per parent',
      body: startAgreementSchema, response: { 200: agreementSigningSchema, ...errorResponses, 502: errorResponses[400], 503: errorResponses[400] },
    },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'parent');
    const input = { origin: originOf(request), returnPath: request.body.returnPath ?? '/me', gateway: request.body.gateway ?? ('alipay' as const) };
    // The gateway first, never inside a transaction (WeChat's pre-sign is a call); skipped on a
    // stored replay, which answers the stored agreement and link as any idempotent POST does.
    let prepared: PreparedSigning | undefined;
    return idempotentOperation(ctx, request, reply, 200, (c) => openAgreementSigning(c, caller, input, prepared!, request.id), async () => {
      prepared = await prepareAgreementSigning(ctx, caller, input);
    });
  });
  app.delete('/me/payment-agreement/:agreementId', {
    schema: { ...common, summary: '关闭免密代扣: unsigned at the gateway (Alipay unsign, WeChat terminate); the parent’s auto top-ups end with it', params: agreementParams, response: { 200: z.null(), ...errorResponses, 502: errorResponses[400], 503: errorResponses[400] } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'parent');
    // The gateway first, outside any transaction; then ended here, idempotently (a replay gets the stored answer).
    await unsignAtGateway(ctx, caller, request.params.agreementId);
    return idempotentOperation(ctx, request, reply, 200, (c) => endAgreement(c, caller, request.params.agreementId, request.id));
  });
  childSettingRoutes(ctx, app, {
    name: 'auto-top-up', tag: 'payments', view: autoTopUpSchema, body: setAutoTopUpSchema,
    summaries: {
      get: '自动充值: the amounts, whether the agreement is signed, and the last charges',
      put: '自动充值: when a card of the child falls below thresholdFen (¥1–¥500), top it up by amountFen (¥10–¥500) from the parent’s Alipay, at most once a day per card',
      delete: '自动充值: turn it off',
    },
    get: getAutoTopUp,
    set: (c, caller, studentId, body, requestId) => setAutoTopUp(c, caller, studentId, body, requestId),
    remove: removeAutoTopUp,
  });
}

function orderRoutes(ctx: AppContext, app: App): void {
  app.get('/payments/options', {
    schema: { tags: ['payments'], summary: 'Top-up amounts and fee items', response: { 200: topUpOptionsSchema } },
  }, async () => ({ presetsFen: [...topUpPresetsFen], minFen: topUpMinFen, maxFen: topUpMaxFen, fees: Object.entries(fees).map(([feeCode, fee]) => ({ feeCode, ...fee })) }));

  app.post('/orders/top-up', {
    schema: { tags: ['payments'], summary: "Order a top-up of a student's purse (¥1–¥1000)", security: bearer, body: createTopUpSchema, response: { 201: orderSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student', 'parent');
    return idempotentOperation(ctx, request, reply, 201, (c) => createTopUpOrder(c, caller, request.body, request.id),
      () => checkTopUpPassword(ctx, caller, request.body, request.ip));
  });

  app.post('/orders/network-top-up', {
    schema: { tags: ['payments'], summary: '校园网充值 by Alipay or WeChat Pay: order a top-up of the student’s campus network account (¥1–¥200)', security: bearer, body: createNetworkTopUpSchema, response: { 201: orderSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student');
    return idempotentOperation(ctx, request, reply, 201, (c) => createNetworkTopUpOrder(c, caller, request.body, request.id));
  });

  app.post('/orders/fee', {
    schema: { tags: ['payments'], summary: 'Order a fee (the ¥15 replacement card fee), inside the payment window', security: bearer, body: createFeeSchema, response: { 201: orderSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student', 'parent');
    return idempotentOperation(ctx, request, reply, 201, (c) => createFeeOrder(c, caller, request.body, request.id));
  });

  app.get('/orders', {
    schema: { tags: ['payments'], summary: 'My orders (a parent: all bound children), pending first', security: bearer, querystring: orderListQuerySchema, response: { 200: orderPageSchema, ...errorResponses } },
  }, async (request) => listOrders(ctx, requireCaller(request), request.query));

  app.get('/orders/:orderId', {
    schema: { tags: ['payments'], summary: 'One order', security: bearer, params: orderParams, response: { 200: orderSchema, ...errorResponses } },
  }, async (request) => getOrder(ctx, requireCaller(request), request.params.orderId));

  app.post('/orders/:orderId/pay', {
    schema: { tags: ['payments'], summary: '继续支付: a cashier link at Alipay or WeChat Pay', security: bearer, params: orderParams, body: payOrderSchema, response: { 200: paymentLinkSchema, ...errorResponses, 502: errorResponses[400], 503: errorResponses[400] } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student', 'parent');
    // The gateway is asked first, outside any transaction; the attempt is then recorded idempotently.
    // A refusal is raised inside the idempotent step, so a replay still gets the stored answer
    // (by then the order is paid, and asking again would be refused).
    const prepared = await preparePayment(ctx, caller, request.params.orderId, { gateway: request.body.gateway, origin: originOf(request), payerIp: request.ip, returnPath: request.body.returnPath })
      .catch((error: unknown) => {
        if (isDomainError(error)) return error;
        throw error;
      });
    return idempotentOperation(ctx, request, reply, 200, (c) => {
      if (prepared instanceof DomainError) throw prepared;
      return recordPaymentAttempt(c, { role: caller.role, id: caller.subjectId }, prepared, request.id);
    });
  });

  app.post('/orders/:orderId/confirm', {
    schema: { tags: ['payments'], summary: '已完成支付: ask the gateways whether the order is paid', security: bearer, params: orderParams, response: { 200: confirmationSchema, ...errorResponses, 502: errorResponses[400], 503: errorResponses[400] } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student', 'parent', 'operator');
    const queries = await askGateways(ctx, caller, request.params.orderId);
    const confirmation = await idempotentOperation(ctx, request, reply, 200, (c) => applyConfirmation(c, caller, queries, request.id));
    await sendOpenRefunds(ctx, request.params.orderId);
    return confirmation;
  });

  app.post('/orders/:orderId/cancel', {
    schema: { tags: ['payments'], summary: 'Cancel an unpaid order', security: bearer, params: orderParams, response: { 200: orderSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student', 'parent', 'operator');
    return idempotentOperation(ctx, request, reply, 200, (c) => cancelOrder(c, caller, request.params.orderId, request.id));
  });
}

function invoiceRoutes(ctx: AppContext, app: App): void {
  app.post('/orders/:orderId/invoice', {
    schema: { tags: ['payments'], summary: 'Issue the e-invoice of a top-up (from the next day, for 180 days)', security: bearer, params: orderParams, body: requestInvoiceSchema, response: { 201: invoiceSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student', 'parent');
    return idempotentOperation(ctx, request, reply, 201, (c) => requestInvoice(c, caller, request.params.orderId, request.body, request.id));
  });

  app.get('/orders/:orderId/invoice', {
    schema: { tags: ['payments'], summary: "A top-up's e-invoice", security: bearer, params: orderParams, response: { 200: invoiceSchema, ...errorResponses } },
  }, async (request) => getInvoice(ctx, requireCaller(request), request.params.orderId));

  app.get('/orders/:orderId/invoice.pdf', {
    schema: { tags: ['payments'], summary: "A top-up's e-invoice as PDF", security: bearer, params: orderParams },
  }, async (request, reply) => {
    const { fileName, pdf } = await invoicePdf(ctx, requireCaller(request), request.params.orderId);
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${fileName}"`).send(pdf);
  });

  app.get('/orders/:orderId/invoice/red-letters/:invoiceNo(^\\d{20}).pdf', {
    schema: { tags: ['payments'], summary: 'A red-letter invoice (红字发票) of a top-up, issued for a refund after its invoice, as PDF', security: bearer, params: redLetterParams },
  }, async (request, reply) => {
    const { fileName, pdf } = await redLetterPdf(ctx, requireCaller(request), request.params.orderId, request.params.invoiceNo);
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="${fileName}"`).send(pdf);
  });
}

function refundRoutes(ctx: AppContext, app: App): void {
  app.post('/admin/orders/:orderId/refunds', {
    schema: { tags: ['payments'], summary: 'Refund a paid order through its gateway (operators)', security: bearer, params: orderParams, body: refundOrderSchema, response: { 201: refundSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'operator');
    const requested = await idempotentOperation(ctx, request, reply, 201, (c) => refundOrder(c, caller, request.params.orderId, request.body, request.id));
    // The refund is sent after its reservation commits; the answer shows where it stands now.
    await sendRefund(ctx, requested.id);
    return getRefund(ctx, requested.id);
  });

  app.post('/balance-refunds', {
    schema: { tags: ['payments'], summary: 'Refund the whole purse balance (≤ ¥200 in the app, above that at an outlet)', security: bearer, body: requestBalanceRefundSchema, response: { 201: balanceRefundSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student', 'parent', 'operator');
    const requested = await idempotentOperation(ctx, request, reply, 201, (c) => requestBalanceRefund(c, caller, request.body.cardId, request.id));
    for (const refund of requested.refunds) await sendRefund(ctx, refund.id);
    return getBalanceRefund(ctx, caller, requested.id);
  });

  app.post('/admin/payments/reconciliations/:date', {
    schema: { tags: ['payments'], summary: 'Reconcile a Beijing day: gateways, orders and ledger (operators)', security: bearer, params: reconciliationDateParams, response: { 200: reconciliationSchema, ...errorResponses } },
  }, async (request) => {
    requireCaller(request, 'operator');
    // Asks the gateways, so it runs outside any transaction; running it again replaces the day's report.
    return reconcileDay(ctx, request.params.date);
  });

  app.get('/admin/payments/reconciliations/:date', {
    schema: { tags: ['payments'], summary: "A day's reconciliation report (operators)", security: bearer, params: reconciliationDateParams, response: { 200: reconciliationSchema, ...errorResponses } },
  }, async (request) => {
    requireCaller(request, 'operator');
    return storedReconciliation(ctx, request.params.date);
  });

  app.get('/balance-refunds', {
    schema: { tags: ['payments'], summary: "A card's balance refunds (退资记录), newest first", security: bearer, querystring: balanceRefundQuerySchema, response: { 200: balanceRefundListSchema, ...errorResponses } },
  }, async (request) => ({ items: await balanceRefundsOfCard(ctx, requireCaller(request), request.query.cardId) }));

  app.get('/balance-refunds/:balanceRefundId', {
    schema: { tags: ['payments'], summary: 'A balance refund and its gateway refunds', security: bearer, params: balanceRefundParams, response: { 200: balanceRefundSchema, ...errorResponses } },
  }, async (request) => getBalanceRefund(ctx, requireCaller(request), request.params.balanceRefundId));

  app.post('/admin/balance-refunds/:balanceRefundId/complete', {
    schema: { tags: ['payments'], summary: 'Record that an outlet paid a balance out (operators)', security: bearer, params: balanceRefundParams, body: completeOutletRefundSchema, response: { 200: balanceRefundSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'operator');
    return idempotentOperation(ctx, request, reply, 200, (c) => completeOutletRefund(c, caller, request.params.balanceRefundId, request.body, request.id));
  });

}

/** Gateway notifications need their raw bodies: signatures are over the exact bytes received. */
function notifyRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    keepRawBodies(app);
    for (const gateway of ['alipay', 'wechat'] as const) {
      app.post(`/payments/notify/${gateway}`, { schema: { tags: ['payments'], summary: gateway === 'alipay' ? 'Alipay payment notifications (signed by the gateway)' : 'WeChat Pay payment and refund notifications (signed by the gateway)' } }, async (request, reply) => {
        const answer = await handleNotification(ctx, { gateway, headers: request.headers, rawBody: typeof request.body === 'string' ? request.body : '' });
        reply.code(answer.statusCode);
        if (answer.contentType) reply.type(answer.contentType);
        return reply.send(answer.body ?? undefined);
      });
    }
  };
}
