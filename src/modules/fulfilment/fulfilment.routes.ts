import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { applyForReplacement, cancelApplication, getApplication, listAdminApplications, listApplications } from './apply-replacement.js';
import { confirmCardInfo, fixCardInfo, getConfirmation, listConfirmations, openConfirmations, reportCardErrors } from './confirmations.js';
import { bookDispatchedParcels, confirmSchoolReceipt, dispatchBatch, listDeliveries, markParcelReturned, refreshDelivery } from './deliveries.js';
import { requestFeeOrder, settleTimedOutFeeOrder } from './fee-order.js';
import './fulfilment.errors.js';
import {
  adminApplicationPageSchema, adminApplicationQuerySchema, adminConfirmationPageSchema, adminConfirmationQuerySchema, applicationListQuerySchema, applicationListSchema,
  applicationParams, applicationSchema, batchDetailSchema, batchPageSchema, batchParams, batchQuerySchema, batchSchema, confirmationParams, confirmationQuerySchema,
  confirmationSchema, createApplicationSchema, createBatchSchema, createdBatchSchema, deliveryChoiceSchema, deliveryPageSchema, deliveryParams, deliveryQuerySchema, deliverySchema, fixConfirmationSchema,
  fulfilmentSettingsSchema, identityCheckSchema, openConfirmationsResultSchema, openConfirmationsSchema, reportErrorsSchema, verifyResultSchema, voidApplicationSchema,
} from './fulfilment.schemas.js';
import { confirmPickup, getSettings, putSettings } from './pickup.js';
import { createBatch, exportBatch, getBatch, listBatches, markBatchProduced } from './production-batches.js';
import { bookRedelivery, redeliverApplication } from './redeliver.js';
import { verifyForReplacement } from './verify-identity.js';
import { voidFirstCard } from './void-first-card.js';

const holders = ['student', 'parent'] as const;
const staff = ['school_admin', 'operator'] as const;
const tags = ['fulfilment'];

/**
 * Fulfilment: 制卡信息确认, 补卡 / 补换卡贴 applications with their fee and progress (the app), and
 * the console's confirmation queue, production batches with the printer's export, deliveries and pickups.
 */
export function fulfilmentRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    // ---------------------------------------------------------------- app: information confirmation
    app.get('/fulfilment/confirmation', {
      schema: { tags, summary: '制卡信息确认: the card face to check (a student may leave out studentId)', security: bearer, querystring: confirmationQuerySchema, response: { 200: confirmationSchema, ...errorResponses } },
    }, async (request) => getConfirmation(ctx, requireCaller(request, ...holders, ...staff), request.query.studentId));

    app.post('/fulfilment/confirmations/:confirmationId/confirm', {
      schema: { tags, summary: '确认无误', security: bearer, params: confirmationParams, response: { 200: confirmationSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      return idempotentOperation(ctx, request, reply, 200, (c) => confirmCardInfo(c, caller, request.params.confirmationId, request.id));
    });

    app.post('/fulfilment/confirmations/:confirmationId/report', {
      schema: { tags, summary: '信息有误: report the wrong fields with corrections', security: bearer, params: confirmationParams, body: reportErrorsSchema, response: { 200: confirmationSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      return idempotentOperation(ctx, request, reply, 200, (c) => reportCardErrors(c, caller, request.params.confirmationId, request.body.corrections, request.id));
    });

    // ---------------------------------------------------------------- app: replacement and sticker
    app.post('/fulfilment/verify', {
      schema: { tags, summary: '填写信息: verify name, ID type, ID number and education ID; the cards, masked (seed 000)', security: bearer, body: identityCheckSchema, response: { 200: verifyResultSchema, ...errorResponses } },
    }, async (request) => verifyForReplacement(ctx, requireCaller(request, ...holders), request.body));

    app.post('/fulfilment/applications', {
      schema: { tags, summary: '申请补卡 / 补换卡贴 with the delivery choice', security: bearer, body: createApplicationSchema, response: { 201: applicationSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      return idempotentOperation(ctx, request, reply, 201, (c) => applyForReplacement(c, caller, request.body, request.id));
    });

    app.get('/fulfilment/applications', {
      schema: { tags, summary: 'The caller’s applications (a parent: the children’s)', security: bearer, querystring: applicationListQuerySchema, response: { 200: applicationListSchema, ...errorResponses } },
    }, async (request) => ({ items: await listApplications(ctx, requireCaller(request, ...holders), request.query) }));

    app.get('/fulfilment/applications/:applicationId', {
      schema: { tags, summary: '补卡进度查询: every step with its time, the expected ready date', security: bearer, params: applicationParams, response: { 200: applicationSchema, ...errorResponses } },
    }, async (request) => getApplication(ctx, requireCaller(request, ...holders, ...staff), request.params.applicationId));

    app.post('/fulfilment/applications/:applicationId/fee-order', {
      schema: {
        tags, summary: '补卡缴费: the ¥15 fee order (only inside the payment window); 200 when the earlier order turned out paid', security: bearer, params: applicationParams,
        response: { 201: applicationSchema, 200: applicationSchema, ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      // An earlier order found paid late at the gateway: the fee is paid, no new order.
      if ((await settleTimedOutFeeOrder(ctx, caller, request.params.applicationId)) === 'paid') return getApplication(ctx, caller, request.params.applicationId);
      return idempotentOperation(ctx, request, reply, 201, (c) => requestFeeOrder(c, caller, request.params.applicationId, request.id));
    });

    app.post('/fulfilment/applications/:applicationId/cancel', {
      schema: { tags, summary: 'Withdraw an application: a replacement before its fee is paid, a sticker before production', security: bearer, params: applicationParams, response: { 200: applicationSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      return idempotentOperation(ctx, request, reply, 200, (c) => cancelApplication(c, caller, request.params.applicationId, request.id));
    });

    app.post('/fulfilment/applications/:applicationId/redelivery', {
      schema: {
        tags, security: bearer, params: applicationParams, body: deliveryChoiceSchema, response: { 200: applicationSchema, ...errorResponses },
        summary: '重新配送: a home parcel returned to the card centre goes out again — home (any address; cash on delivery ≤ ¥15) or to the school (free, only while the student is enrolled there). 改为快递到家: a replacement or sticker waiting at a school its student has left goes home. The holder, a parent, the school card manager or an operator chooses',
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders, 'school_admin', 'operator');
      const result = await idempotentOperation(ctx, request, reply, 200, (c) => redeliverApplication(c, caller, request.params.applicationId, request.body, request.id));
      // The courier outside the transaction. The redelivery has committed, so this never fails the answer (the tracking job books a parcel it could not).
      await bookRedelivery(ctx, request.params.applicationId);
      return result;
    });

    // ---------------------------------------------------------------- console: confirmations
    app.get('/admin/fulfilment/confirmations', {
      schema: { tags, summary: 'Confirmation and correction queue (card managers: own school)', security: bearer, querystring: adminConfirmationQuerySchema, response: { 200: adminConfirmationPageSchema, ...errorResponses } },
    }, async (request) => {
      const { page, pageSize, ...filter } = request.query;
      return listConfirmations(ctx, requireCaller(request, ...staff), filter, { page, pageSize });
    });

    app.post('/admin/fulfilment/confirmations/open', {
      schema: { tags, summary: 'Open confirmation records for a school’s students who have none (new cards)', security: bearer, body: openConfirmationsSchema, response: { 200: openConfirmationsResultSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...staff);
      return idempotentOperation(ctx, request, reply, 200, (c) => openConfirmations(c, caller, request.body.schoolId, request.id));
    });

    app.post('/admin/fulfilment/confirmations/:confirmationId/fix', {
      schema: { tags, summary: 'The school fixes reported errors; the student confirms again', security: bearer, params: confirmationParams, body: fixConfirmationSchema, response: { 200: confirmationSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...staff);
      return idempotentOperation(ctx, request, reply, 200, (c) => fixCardInfo(c, caller, request.params.confirmationId, request.body, request.id));
    });

    // ---------------------------------------------------------------- console: applications and pickup
    app.get('/admin/fulfilment/applications', {
      schema: { tags, summary: 'Replacement and sticker applications (card managers: own school)', security: bearer, querystring: adminApplicationQuerySchema, response: { 200: adminApplicationPageSchema, ...errorResponses } },
    }, async (request) => {
      const { page, pageSize, ...filter } = request.query;
      return listAdminApplications(ctx, requireCaller(request, ...staff), filter, { page, pageSize });
    });

    app.post('/admin/fulfilment/applications/:applicationId/pickup', {
      schema: { tags, summary: '领卡: the new card becomes active, the old one replaced; its balance moves after the settlement window. A first card is issued inactive, and only to a student still enrolled at its school (FULFILMENT_HOLDER_NOT_ENROLLED); a replacement or sticker too (FULFILMENT_HOLDER_LEFT_SCHOOL: send it home instead)', security: bearer, params: applicationParams, response: { 200: applicationSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...staff);
      return idempotentOperation(ctx, request, reply, 200, (c) => confirmPickup(c, caller, request.params.applicationId, request.id));
    });

    app.post('/admin/fulfilment/applications/:applicationId/void', {
      schema: {
        tags, security: bearer, params: applicationParams, body: voidApplicationSchema, response: { 200: applicationSchema, ...errorResponses },
        summary: '作废: a first card delivered to a school its student no longer attends (left, graduated or moved) is voided with a reason and never issued; the card manager of that school or an operator. Refused while the student is still enrolled there (FULFILMENT_HOLDER_STILL_ENROLLED)',
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...staff);
      return idempotentOperation(ctx, request, reply, 200, (c) => voidFirstCard(c, caller, request.params.applicationId, request.body.reason, request.id));
    });

    // ---------------------------------------------------------------- console: batches (operators)
    app.get('/admin/fulfilment/batches', {
      schema: { tags, summary: 'Production batches', security: bearer, querystring: batchQuerySchema, response: { 200: batchPageSchema, ...errorResponses } },
    }, async (request) => {
      requireCaller(request, 'operator');
      const { page, pageSize, ...filter } = request.query;
      return listBatches(ctx, filter, { page, pageSize });
    });

    app.post('/admin/fulfilment/batches', {
      schema: { tags, summary: 'A batch of every paid application with confirmed card information; one whose student has no photo yet is held back (heldWithoutPhoto; all held: FULFILMENT_BATCH_PHOTOS_MISSING)', security: bearer, body: createBatchSchema, response: { 201: createdBatchSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 201, (c) => createBatch(c, caller, request.body, request.id));
    });

    app.get('/admin/fulfilment/batches/:batchId', {
      schema: { tags, summary: 'A batch with its applications', security: bearer, params: batchParams, response: { 200: batchDetailSchema, ...errorResponses } },
    }, async (request) => {
      requireCaller(request, 'operator');
      return getBatch(ctx, request.params.batchId);
    });

    app.post('/admin/fulfilment/batches/:batchId/export', {
      schema: { tags, summary: 'The card printer’s CSV (UTF-8 with BOM); the first export marks the batch exported', security: bearer, params: batchParams, response: { 200: z.string(), ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      const file = await inTransaction(ctx.db, (tx) => exportBatch({ ...ctx, db: tx }, caller, request.params.batchId, request.id));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file.fileName}"`).send(file.csv);
    });

    app.post('/admin/fulfilment/batches/:batchId/produced', {
      schema: { tags, summary: 'The printer made the batch', security: bearer, params: batchParams, response: { 200: batchSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 200, (c) => markBatchProduced(c, caller, request.params.batchId, request.id));
    });

    app.post('/admin/fulfilment/batches/:batchId/dispatch', {
      schema: { tags, summary: 'Send the batch out: one parcel per school, one courier parcel per home delivery', security: bearer, params: batchParams, response: { 200: batchSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      const result = await idempotentOperation(ctx, request, reply, 200, (c) => dispatchBatch(c, caller, request.params.batchId, request.id));
      await bookDispatchedParcels(ctx, request.params.batchId); // the courier outside the transaction, this batch's parcels only; never fails the committed dispatch
      return result;
    });

    // ---------------------------------------------------------------- console: deliveries
    app.get('/admin/fulfilment/deliveries', {
      schema: { tags, summary: 'Deliveries with courier tracking (card managers: own school)', security: bearer, querystring: deliveryQuerySchema, response: { 200: deliveryPageSchema, ...errorResponses } },
    }, async (request) => {
      const { page, pageSize, ...filter } = request.query;
      return listDeliveries(ctx, requireCaller(request, ...staff), filter, { page, pageSize });
    });

    app.post('/admin/fulfilment/deliveries/:deliveryId/received', {
      schema: { tags, summary: 'The school received its parcel: the cards are ready for pickup', security: bearer, params: deliveryParams, response: { 200: deliverySchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...staff);
      return idempotentOperation(ctx, request, reply, 200, (c) => confirmSchoolReceipt(c, caller, request.params.deliveryId, request.id));
    });

    app.post('/admin/fulfilment/deliveries/:deliveryId/returned', {
      schema: {
        tags, security: bearer, params: deliveryParams, response: { 200: deliverySchema, ...errorResponses },
        summary: '退件已签收 (operators): the card centre has a home parcel back although the courier never said so; the parcel and its application move on as the courier’s “returned” would. A parcel already back is answered as it is',
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 200, (c) => markParcelReturned(c, caller, request.params.deliveryId, request.id));
    });

    app.post('/admin/fulfilment/deliveries/:deliveryId/refresh', {
      schema: { tags, summary: 'Ask the courier where a home parcel is now', security: bearer, params: deliveryParams, response: { 200: deliverySchema, ...errorResponses } },
    }, async (request) => refreshDelivery(ctx, requireCaller(request, ...staff), request.params.deliveryId));

    // ---------------------------------------------------------------- settings
    app.get('/admin/fulfilment/settings', {
      schema: { tags, summary: 'Fulfilment settings (the balance settlement window)', security: bearer, response: { 200: fulfilmentSettingsSchema, ...errorResponses } },
    }, async (request) => {
      requireCaller(request, 'operator');
      return getSettings(ctx);
    });

    app.put('/admin/fulfilment/settings', {
      schema: { tags, summary: 'Change the settlement window (days after pickup before the old balance moves)', security: bearer, body: fulfilmentSettingsSchema, response: { 200: fulfilmentSettingsSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 200, (c) => putSettings(c, caller, request.body, request.id));
    });
  };
}
