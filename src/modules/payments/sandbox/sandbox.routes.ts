import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireCaller } from '../../../platform/auth.js';
import type { AppContext } from '../../../platform/context.js';
import { fail } from '../../../platform/errors.js';
import { parseAlipayForm } from '../gateways/alipay.js';
import { paymentsRepository } from '../payments.repository.js';
import type { GatewayName } from '../payments.tables.js';
import { keepRawBodies, originOf } from '../http-helpers.js';
import { agreementPage, agreementResultPage, gatewayAppPage } from './agreement-page.js';
import { cashierPage, errorPage, merchantReturn, resultPage } from './cashier-page.js';
import { agreeAtPage, unsignInGatewayApp } from './sandbox-agreements.js';
import { sandboxBillRoutes } from './sandbox-bill-routes.js';
import { alipayApiRequest, alipayPageRequest, jsonObject, type SandboxAnswer } from './sandbox-alipay.js';
import { noSwitches, retryCompressionSetting, type TestSwitches } from './sandbox-notifications.js';
import { cancelAtCashier, payAtCashier } from './sandbox-trades.js';
import { wechatApiRequest } from './sandbox-wechat.js';
import { sandboxRepository as repo } from './sandbox.repository.js';

/**
 * The sandbox gateway's HTTP face, at /api/v1/sandbox (never registered in production): Alipay's
 * gateway.do, WeChat Pay's /v3 API, and the cashier pages a payer sees. Hidden from OpenAPI: it
 * is a stand-in for the gateways, not part of Onecard's API.
 */

const hidden = { schema: { hide: true } };
const headerText = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

function send(reply: FastifyReply, gateway: GatewayName, answer: SandboxAnswer): FastifyReply {
  if (answer.kind === 'redirect') return reply.redirect(answer.location, 302);
  if (answer.kind === 'file') return reply.code(answer.status).type(answer.contentType).send(Buffer.from(answer.body));
  if (answer.kind === 'error_page') return reply.code(400).type('text/html; charset=utf-8').send(errorPage(gateway, answer.message, answer.title));
  if (answer.status === 204) return reply.code(204).headers(answer.headers ?? {}).send();
  return reply.code(answer.status).headers(answer.headers ?? {}).type('application/json; charset=utf-8').send(answer.body);
}

const rawText = (request: FastifyRequest) => (typeof request.body === 'string' ? request.body : '');
const rawQuery = (request: FastifyRequest) => request.url.split('?')[1] ?? '';

/** A sandbox record id in a path: a UUID, or nothing is looked up (so a malformed one is a 404, never a database error). */
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A checkbox of a page's test switches. */
const on = (value: string | undefined) => value === '1' || value === 'on' || value === 'true';

/** The cashier's test switches from its form (or query string), bounded to sane values. */
function switchesOf(form: Record<string, string>): TestSwitches {
  const int = (value: string | undefined, min: number, max: number, fallback: number) => {
    const n = Number(value);
    return value !== undefined && value !== '' && Number.isInteger(n) ? Math.min(max, Math.max(min, n)) : fallback;
  };
  return {
    copies: int(form.duplicate, 1, 20, noSwitches.copies),
    outOfOrder: on(form.outOfOrder),
    lateMs: int(form.lateMs, 0, 7 * 24 * 3600_000, noSwitches.lateMs),
    badSignature: on(form.badSignature),
  };
}

export function sandboxRoutes(ctx: AppContext) {
  return async (app: FastifyInstance) => {
    keepRawBodies(app);

    app.get('/sandbox/alipay/gateway.do', hidden, async (request, reply) =>
      send(reply, 'alipay', await alipayPageRequest(ctx, parseAlipayForm(rawQuery(request)) ?? {}, originOf(request))));

    app.post('/sandbox/alipay/gateway.do', hidden, async (request, reply) =>
      send(reply, 'alipay', await alipayApiRequest(ctx, parseAlipayForm(rawText(request)) ?? {}, originOf(request))));

    app.route({
      method: ['GET', 'POST'],
      url: '/sandbox/wechat/v3/*',
      ...hidden,
      handler: async (request, reply) =>
        send(reply, 'wechat', await wechatApiRequest(ctx, { method: request.method, url: request.url, authorization: request.headers.authorization, wechatpaySerial: headerText(request.headers['wechatpay-serial']), body: rawText(request), origin: originOf(request) })),
    });

    for (const gateway of ['alipay', 'wechat'] as const) cashierRoutes(ctx, app, gateway);
    for (const gateway of ['alipay', 'wechat'] as const) agreementRoutes(ctx, app, gateway);
    sandboxBillRoutes(ctx, app);

    app.put('/sandbox/settings', hidden, async (request) => {
      const caller = requireCaller(request, 'operator');
      const factor = Number(jsonObject(rawText(request))?.retryCompression);
      if (!Number.isFinite(factor) || factor < 1) throw fail('VALIDATION_FAILED', { issues: [{ path: '/body/retryCompression', message: 'must be a number ≥ 1' }] });
      await paymentsRepository.replaceSetting(ctx.db, retryCompressionSetting, factor, ctx.clock.now(), caller.subjectId);
      return { retryCompression: factor };
    });
  };
}

const html = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

function cashierRoutes(ctx: AppContext, app: FastifyInstance, gateway: GatewayName): void {
  const path = `/sandbox/${gateway}/cashier/:sandboxPaymentId`;
  const paymentOf = async (request: FastifyRequest) => {
    const { sandboxPaymentId } = request.params as { sandboxPaymentId: string };
    const payment = uuidPattern.test(sandboxPaymentId) ? await repo.findPayment(ctx.db, sandboxPaymentId) : undefined;
    return payment?.gateway === gateway ? payment : undefined;
  };
  const refusedReturn = (reply: FastifyReply) => html(reply, 400, errorPage(gateway, '商户参数格式有误：redirect_url 不在商户登记的 H5 支付域名下'));

  // The query string is kept in the form's action: WeChat's redirect_url rides on the cashier link.
  app.get(path, hidden, async (request, reply) => {
    const payment = await paymentOf(request);
    if (!payment) return html(reply, 404, errorPage(gateway, '交易不存在'));
    const back = merchantReturn(payment, (parseAlipayForm(rawQuery(request)) ?? {}).redirect_url);
    return back.ok ? html(reply, 200, cashierPage(payment, request.url, back.url)) : refusedReturn(reply);
  });

  app.post(path, hidden, async (request, reply) => {
    const payment = await paymentOf(request);
    if (!payment) return html(reply, 404, errorPage(gateway, '交易不存在'));
    const query = parseAlipayForm(rawQuery(request)) ?? {};
    const form = { ...query, ...(parseAlipayForm(rawText(request)) ?? {}) };
    const back = merchantReturn(payment, query.redirect_url);
    if (!back.ok) return refusedReturn(reply);
    if (form.action !== 'pay' && form.action !== 'cancel') return html(reply, 400, errorPage(gateway, '请选择确认支付或取消'));
    const after = form.action === 'pay' ? await payAtCashier(ctx, payment.id, switchesOf(form)) : await cancelAtCashier(ctx, payment.id);
    return html(reply, 200, resultPage(after ?? payment, back.url));
  });
}

/** The request's path without its query: what a page's own form posts back to. */
const pathOf = (request: FastifyRequest) => request.url.split('?')[0] ?? request.url;

/**
 * The agreement pages, where the user agrees to (or declines) password-free withholding: Alipay's
 * 商户代扣 page, WeChat Pay's 委托代扣 signing page; and each gateway app's page for ending it.
 */
function agreementRoutes(ctx: AppContext, app: FastifyInstance, gateway: GatewayName): void {
  const path = `/sandbox/${gateway}/agreement/:agreementId`;
  const agreementOf = async (request: FastifyRequest) => {
    const { agreementId } = request.params as { agreementId: string };
    const agreement = uuidPattern.test(agreementId) ? await repo.findAgreement(ctx.db, agreementId) : undefined;
    return agreement?.gateway === gateway ? agreement : undefined;
  };
  const notFound = (reply: FastifyReply) => html(reply, 404, errorPage(gateway, '协议不存在', '无法签约'));

  app.get(path, hidden, async (request, reply) => {
    const agreement = await agreementOf(request);
    return agreement ? html(reply, 200, agreementPage(agreement, pathOf(request))) : notFound(reply);
  });

  app.post(path, hidden, async (request, reply) => {
    const agreement = await agreementOf(request);
    if (!agreement) return notFound(reply);
    const form = parseAlipayForm(rawText(request)) ?? {};
    if (form.action !== 'agree' && form.action !== 'cancel') return html(reply, 400, errorPage(gateway, '请选择同意并签约或取消', '无法签约'));
    // 取消 changes nothing at the gateway: the agreement stays a draft and the merchant may send the user back.
    const after = form.action === 'agree' ? await agreeAtPage(ctx, agreement.id, { withholdingFails: on(form.withholdingFails) }) : agreement;
    return html(reply, 200, agreementResultPage(after ?? agreement, `${pathOf(request)}/app`));
  });

  // The gateway app's own page for the agreement, where the user may end it (the gateway notifies the ending).
  app.get(`${path}/app`, hidden, async (request, reply) => {
    const agreement = await agreementOf(request);
    return agreement ? html(reply, 200, gatewayAppPage(agreement, pathOf(request))) : notFound(reply);
  });

  app.post(`${path}/app`, hidden, async (request, reply) => {
    const agreement = await agreementOf(request);
    if (!agreement) return notFound(reply);
    if ((parseAlipayForm(rawText(request)) ?? {}).action !== 'unsign') return html(reply, 400, errorPage(gateway, '请选择关闭服务', '无法解约'));
    return html(reply, 200, gatewayAppPage((await unsignInGatewayApp(ctx, agreement.id)) ?? agreement, pathOf(request)));
  });
}
