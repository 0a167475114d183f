import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { activateCard, reportLoss, unloss } from './card-actions.js';
import { cardHistory, cardTransactions, getCard, listCards, publicCardStatus } from './card-queries.js';
import './cards.errors.js';
import {
  cardHistorySchema, cardListQuerySchema, cardListSchema, cardNoParams, cardParams, cardSchema, cardTransactionPageSchema, cardTransactionsQuerySchema, publicCardStatusSchema,
} from './cards.schemas.js';

const holderRoles = ['student', 'parent', 'school_admin', 'operator', 'kiosk'] as const;

/** Cards: the caller's cards, their history and purse, loss/unloss/activation, and the public status query. */
export function cardsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/cards/:cardNo/status', {
      schema: { tags: ['cards'], summary: '学生卡查询: a card’s status by its number, without login (nothing personal)', params: cardNoParams, response: { 200: publicCardStatusSchema, ...errorResponses } },
    }, async (request) => publicCardStatus(ctx, request.params.cardNo));

    app.get('/cards', {
      schema: { tags: ['cards'], summary: 'The caller’s cards (a parent: the children’s; staff: name the student)', security: bearer, querystring: cardListQuerySchema, response: { 200: cardListSchema, ...errorResponses } },
    }, async (request) => ({ items: await listCards(ctx, requireCaller(request, ...holderRoles), request.query.studentId) }));

    app.get('/cards/:cardId', {
      schema: { tags: ['cards'], summary: 'One card', security: bearer, params: cardParams, response: { 200: cardSchema, ...errorResponses } },
    }, async (request) => getCard(ctx, requireCaller(request, ...holderRoles), request.params.cardId));

    app.get('/cards/:cardId/history', {
      schema: { tags: ['cards'], summary: 'The card’s status changes, oldest first', security: bearer, params: cardParams, response: { 200: cardHistorySchema, ...errorResponses } },
    }, async (request) => ({ items: await cardHistory(ctx, requireCaller(request, ...holderRoles), request.params.cardId) }));

    app.get('/cards/:cardId/transactions', {
      schema: { tags: ['cards'], summary: 'The card purse’s transactions with the running balance', security: bearer, params: cardParams, querystring: cardTransactionsQuerySchema, response: { 200: cardTransactionPageSchema, ...errorResponses } },
    }, async (request) => {
      const { from, to, ...rest } = request.query;
      const statement = await cardTransactions(ctx, requireCaller(request, ...holderRoles), request.params.cardId, { ...rest, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined });
      return { ...statement, items: statement.items.map((l) => ({ ...l, createdAt: l.createdAt.toISOString() })) };
    });

    const actions = { loss: reportLoss, unloss, activate: activateCard } as const;
    for (const [path, action] of Object.entries(actions)) {
      app.post(`/cards/:cardId/${path}`, {
        schema: { tags: ['cards'], summary: { loss: '挂失 (a phone e-card is suspended)', unloss: '解挂', activate: 'Activate a newly received card' }[path], security: bearer, params: cardParams, response: { 200: cardSchema, ...errorResponses } },
      }, async (request, reply) => {
        const caller = requireCaller(request, ...holderRoles);
        return idempotentOperation(ctx, request, reply, 200, (c) => action(c, caller, request.params.cardId, request.id));
      });
    }
  };
}
