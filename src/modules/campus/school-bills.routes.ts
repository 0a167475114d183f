import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { orderSchema } from '../payments/payments.schemas.js';
import { bearer, errorResponses } from '../shared/http.js';
import { pageSchema } from '../shared/pagination.js';
import { acceptCsvUploads, uploadedBytes } from '../shared/uploaded-file.js';
import { billingSchoolOf, issueBill, issueBillFile, readUploadedBills } from './school-bill-issue.js';
import { billsOf, cancelBill, checkBillFromCard, payBillFromCard, requestBillOrder, schoolBills, settleTimedOutBillOrder } from './school-bills.js';
import {
  adminBillQuerySchema, adminSchoolBillSchema, billFileQuerySchema, billsQuerySchema, billOrderSchema, billPaidSchema, billParams, billsIssuedSchema, billTotalsSchema, cancelBillSchema, newBillSchema, payBillSchema, schoolBillSchema,
} from './school-bills.schemas.js';

/** A file of 5,000 bills is ~300 kB; room for long course names and GBK's extra columns. */
const maxBillFileBytes = 2 * 1024 * 1024;

/** 学费及重修费缴费: the student's bills and their two ways to pay; the finance office's bills in the console. */
export function schoolBillRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    acceptCsvUploads(app, maxBillFileBytes);
    const tags = ['campus'];

    app.get('/campus/bills', {
      schema: { tags, summary: '学费及重修费: a student’s bills, those to pay first (earliest due first): the student’s own, or a bound parent’s child’s (studentId)', security: bearer, querystring: billsQuerySchema, response: { 200: z.object({ items: z.array(schoolBillSchema), unpaidFen: z.number().int() }), ...errorResponses } },
    }, async (request) => billsOf(ctx, requireCaller(request, 'student', 'parent'), request.query.studentId));

    app.post('/orders/school-bill', {
      schema: { tags: ['payments'], summary: 'Pay a bill by Alipay or WeChat Pay (the student or a bound parent): the order for it (an open one is handed back), then POST /orders/:id/pay', security: bearer, body: billOrderSchema, response: { 201: orderSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student', 'parent');
      await settleTimedOutBillOrder(ctx, caller, request.body.billId, 'order');
      return idempotentOperation(ctx, request, reply, 201, (c) => requestBillOrder(c, caller, request.body.billId, request.id));
    });

    app.post('/campus/bills/:billId/pay', {
      schema: { tags, summary: 'Pay a bill from the campus card (the query password asked)', security: bearer, params: billParams, body: payBillSchema, response: { 200: billPaidSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student');
      return idempotentOperation(ctx, request, reply, 200, (c) => payBillFromCard(c, caller, request.params.billId, request.id),
        () => checkBillFromCard(ctx, caller, { billId: request.params.billId, queryPassword: request.body.queryPassword }, request.ip));
    });

    app.get('/admin/campus/bills', {
      schema: { tags, summary: 'A university’s bills, newest first, with totals per status (operators, the school’s card manager)', security: bearer, querystring: adminBillQuerySchema, response: { 200: pageSchema(adminSchoolBillSchema).extend({ totals: billTotalsSchema }), ...errorResponses } },
    }, async (request) => {
      const { schoolId, status, kind, studentNo, ...page } = request.query;
      return schoolBills(ctx, requireCaller(request, 'operator', 'school_admin'), { schoolId, status, kind, studentNo }, page);
    });

    app.post('/admin/campus/bills', {
      schema: { tags, summary: '开具账单: one bill to a student, by student number', security: bearer, body: newBillSchema, response: { 201: billsIssuedSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 201, (c) => issueBill(c, caller, request.body, request.id));
    });

    app.post('/admin/campus/bills/file', {
      schema: {
        tags, summary: '批量开具: a CSV of bills (学号, 类别 学费/重修费, 学年, 课程, 金额 in yuan, 截止日期), UTF-8 or GBK; all or nothing', security: bearer,
        querystring: billFileQuerySchema, consumes: ['text/csv', 'application/octet-stream'],
        body: z.any().describe('the CSV file, as bytes'),
        response: { 201: billsIssuedSchema, ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      // The school first (a K-12 school's file is refused for that), then the file, outside the transaction.
      const schoolId = await billingSchoolOf(ctx, caller, request.query.schoolId);
      const file = readUploadedBills(uploadedBytes(request));
      return idempotentOperation(ctx, request, reply, 201, (c) => issueBillFile(c, { role: caller.role, id: caller.subjectId }, schoolId, file, request.id));
    });

    app.post('/admin/campus/bills/:billId/cancel', {
      schema: { tags, summary: '撤销: an unpaid bill no order waits on, with the reason the student sees', security: bearer, params: billParams, body: cancelBillSchema, response: { 200: adminSchoolBillSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 200, (c) => cancelBill(c, caller, request.params.billId, request.body.reason, request.id));
    });
  };
}
