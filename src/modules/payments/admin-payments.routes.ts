import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { bearer, errorResponses } from '../shared/http.js';
import {
  adminBalanceRefundDetailSchema, adminBalanceRefundPageSchema, adminBalanceRefundQuerySchema, adminOrderDetailSchema, adminOrderPageSchema, adminOrderQuerySchema,
} from './admin-payments.schemas.js';
import { adminBalanceRefundDetail, listBalanceRefunds } from './list-balance-refunds.js';
import './payments.errors.js';
import { balanceRefundParams, orderParams } from './payments.schemas.js';
import { adminOrderDetail, searchOrders } from './search-orders.js';

/**
 * The console's read side of payments: order search and detail, balance refunds. Operators see
 * everything; a school's card manager the orders and refunds of their own school's students.
 * The writes (refund an order, complete an outlet refund, reconcile) are in payments.routes.ts.
 */
export function adminPaymentsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/admin/orders', {
      schema: {
        tags: ['payments'], summary: 'Search orders: order number, education ID or name, status, kind, gateway, Beijing date range (operators; card managers: own school)', security: bearer,
        querystring: adminOrderQuerySchema, response: { 200: adminOrderPageSchema, ...errorResponses },
      },
    }, async (request) => searchOrders(ctx, requireCaller(request, 'operator', 'school_admin'), request.query));

    app.get('/admin/orders/:orderId', {
      schema: { tags: ['payments'], summary: 'One order with its payment attempts, notifications, refunds and ledger transactions', security: bearer, params: orderParams, response: { 200: adminOrderDetailSchema, ...errorResponses } },
    }, async (request) => adminOrderDetail(ctx, requireCaller(request, 'operator', 'school_admin'), request.params.orderId));

    app.get('/admin/balance-refunds', {
      schema: { tags: ['payments'], summary: 'Balance refunds, the ones waiting for an outlet first (operators; card managers: own school)', security: bearer, querystring: adminBalanceRefundQuerySchema, response: { 200: adminBalanceRefundPageSchema, ...errorResponses } },
    }, async (request) => listBalanceRefunds(ctx, requireCaller(request, 'operator', 'school_admin'), request.query));

    app.get('/admin/balance-refunds/:balanceRefundId', {
      schema: { tags: ['payments'], summary: "A balance refund with its holder (masked, for the outlet's identity check) and the payout booked", security: bearer, params: balanceRefundParams, response: { 200: adminBalanceRefundDetailSchema, ...errorResponses } },
    }, async (request) => adminBalanceRefundDetail(ctx, requireCaller(request, 'operator', 'school_admin'), request.params.balanceRefundId));
  };
}
