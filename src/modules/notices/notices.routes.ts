import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';
import { consoleNotices, createNotice, editNotice, moveNotice } from './manage-notices.js';
import { adminNoticeQuerySchema, adminNoticeSchema, createNoticeSchema, editNoticeSchema, noticeDetailSchema, noticeListSchema, noticeParams } from './notices.schemas.js';
import { myNotices, readNotice } from './read-notices.js';

const tags = ['notices'];

/**
 * 消息公告 (seeds 001, 004): students and parents read the card centre's city-wide notices and
 * their schools'; operators and school card managers write them in the console.
 */
export function noticesRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/notices', {
      schema: { tags, summary: '消息公告: the published notices for the signed-in student or parent, pinned first then newest, with the unread count', security: bearer, querystring: pageQuerySchema, response: { 200: noticeListSchema, ...errorResponses } },
    }, async (request) => myNotices(ctx, requireCaller(request, 'student', 'parent'), request.query));

    app.get('/notices/:noticeId', {
      schema: { tags, summary: 'One notice (NOTICE_NOT_FOUND unless the caller may read it); opening it marks it read', security: bearer, params: noticeParams, response: { 200: noticeDetailSchema, ...errorResponses } },
    }, async (request) => readNotice(ctx, requireCaller(request, 'student', 'parent'), request.params.noticeId));

    app.get('/admin/notices', {
      schema: { tags, summary: '公告管理: notices with their reading counts (operators: all, one school’s or the city-wide ones; a card manager: their school’s)', security: bearer, querystring: adminNoticeQuerySchema, response: { 200: pageSchema(adminNoticeSchema), ...errorResponses } },
    }, async (request) => {
      const { schoolId, scope, status, ...page } = request.query;
      return consoleNotices(ctx, requireCaller(request, 'operator', 'school_admin'), { schoolId, scope, status }, page);
    });

    app.post('/admin/notices', {
      schema: { tags, summary: 'A new notice, kept as a draft or published at once: to a school, or city-wide for an audience (operators)', security: bearer, body: createNoticeSchema, response: { 201: adminNoticeSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 201, (c) => createNotice(c, caller, request.body, request.id));
    });

    app.put('/admin/notices/:noticeId', {
      schema: { tags, summary: 'Correct a notice’s title, body and pinning (not once withdrawn)', security: bearer, params: noticeParams, body: editNoticeSchema, response: { 200: adminNoticeSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 200, (c) => editNotice(c, caller, request.params.noticeId, request.body, request.id));
    });

    for (const event of ['publish', 'withdraw'] as const) {
      app.post(`/admin/notices/:noticeId/${event}`, {
        schema: { tags, summary: event === 'publish' ? 'Publish a draft: its readers see it from now' : 'Withdraw a published notice: its readers no longer see it', security: bearer, params: noticeParams, response: { 200: adminNoticeSchema, ...errorResponses } },
      }, async (request, reply) => {
        const caller = requireCaller(request, 'operator', 'school_admin');
        return idempotentOperation(ctx, request, reply, 200, (c) => moveNotice(c, caller, request.params.noticeId, event, request.id));
      });
    }
  };
}
