import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { bearer, errorResponses } from '../shared/http.js';
import { pendingActions } from './action-list.js';
import { transitValidatorCompiler } from './batch-body.js';
import { cardTrips, railMonth } from './card-trips.js';
import { denyListDelta } from './deny-list.js';
import {
  actionsQuerySchema, actionsResponseSchema, batchRequestSchema, batchResponseSchema, denyListDeltaSchema, denyListQuerySchema, MAX_BATCH_RECORDS, terminalParamsSchema,
} from './protocol.js';
import { listTerminals, reconcileCards } from './reconcile-cards.js';
import { settleBatch, uploadingTerminal } from './settle-batch.js';
import { z } from 'zod';
import { adminTerminalsSchema, railMonthSchema, reconciliationQuerySchema, reconciliationSchema, tripsQuerySchema, tripsSchema } from './transit.schemas.js';

const holderRoles = ['student', 'parent', 'school_admin', 'operator', 'kiosk'] as const;
const cardParams = z.object({ cardId: z.uuid() });

/** Room for MAX_BATCH_RECORDS records of a few hundred bytes each. */
const BATCH_BODY_LIMIT = MAX_BATCH_RECORDS * 1024 + 64 * 1024;

/** Transit server side: terminal uploads, deny-lists and action lists; console reports; app trips. */
export function transitRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    // Upload bodies are checked in place (batch-body.ts); everything else by its zod schema.
    app.setValidatorCompiler(transitValidatorCompiler);
    app.post('/terminals/:terminalId/batches', {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        tags: ['transit'], summary: 'Upload a batch of taps (idempotent per terminal and seq)', security: bearer,
        params: terminalParamsSchema, body: batchRequestSchema, response: { 200: batchResponseSchema, ...errorResponses },
      },
    }, async (request) => {
      const caller = requireCaller(request, 'terminal');
      const terminal = await uploadingTerminal(ctx.db, caller.subjectId, request.params.terminalId);
      return settleBatch(ctx, terminal, request.body, { role: 'terminal', id: terminal.id }, request.id);
    });

    app.get('/terminals/:terminalId/deny-list', {
      schema: {
        tags: ['transit'], summary: 'Signed deny-list delta since a version (full list when since=0 or far behind)', security: bearer,
        params: terminalParamsSchema, querystring: denyListQuerySchema, response: { 200: denyListDeltaSchema, ...errorResponses },
      },
    }, async (request) => {
      const caller = requireCaller(request, 'terminal');
      const terminal = await uploadingTerminal(ctx.db, caller.subjectId, request.params.terminalId);
      return denyListDelta(ctx, terminal.id, request.query.since);
    });

    app.get('/terminals/:terminalId/actions', {
      schema: {
        tags: ['transit'], summary: 'Action list: online top-ups and extensions to write to cards at their next tap', security: bearer,
        params: terminalParamsSchema, querystring: actionsQuerySchema, response: { 200: actionsResponseSchema, ...errorResponses },
      },
    }, async (request) => {
      const caller = requireCaller(request, 'terminal');
      const terminal = await uploadingTerminal(ctx.db, caller.subjectId, request.params.terminalId);
      return pendingActions(ctx, terminal.id, request.query.since);
    });

    app.get('/admin/transit/reconciliation', {
      schema: {
        tags: ['transit'], summary: 'Per-card reconciliation exceptions: balance differences, counter gaps, cards gone silent (operators)', security: bearer,
        querystring: reconciliationQuerySchema, response: { 200: reconciliationSchema, ...errorResponses },
      },
    }, async (request) => {
      requireCaller(request, 'operator');
      return reconcileCards(ctx, request.query);
    });

    app.get('/admin/terminals', {
      schema: { tags: ['transit'], summary: 'Terminals with their last upload and deny-list version (operators)', security: bearer, response: { 200: adminTerminalsSchema, ...errorResponses } },
    }, async (request) => {
      requireCaller(request, 'operator');
      return listTerminals(ctx);
    });

    app.get('/cards/:cardId/trips', {
      schema: {
        tags: ['transit'], summary: 'The card’s trips with their fare breakdown, newest first', security: bearer,
        description: 'Paged by card counter: pass the answer’s `nextBefore` as `before` for the next page; `nextBefore` is null on the last page.',
        params: cardParams, querystring: tripsQuerySchema, response: { 200: tripsSchema, ...errorResponses },
      },
    }, async (request) => cardTrips(ctx, requireCaller(request, ...holderRoles), request.params.cardId, { limit: request.query.limit, before: request.query.before ?? null }));

    app.get('/cards/:cardId/rail-month', {
      schema: { tags: ['transit'], summary: 'This month’s rail spend against the ¥100 / ¥150 / ¥400 tiers', security: bearer, params: cardParams, response: { 200: railMonthSchema, ...errorResponses } },
    }, async (request) => railMonth(ctx, requireCaller(request, ...holderRoles), request.params.cardId));
  };
}
