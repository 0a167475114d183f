import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { cardSchema } from '../cards/cards.schemas.js';
import { bearer, errorResponses } from '../shared/http.js';
import './card-services.errors.js';
import {
  adminCardPageSchema, adminCardSearchQuerySchema, cardIdParams, extendResultSchema, extensionCheckSchema, extensionWindowBodySchema, extensionWindowListSchema,
  extensionWindowSchema, extensionWindowYearParams, kioskReplacementBodySchema, kioskReplacementResultSchema, returnQuoteSchema, returnResultSchema,
  temporaryCardBodySchema, temporaryExchangeResultSchema,
} from './card-services.schemas.js';
import { checkExtension, extendCard } from './extend-card.js';
import { listExtensionWindows, setExtensionWindow } from './extension-windows.js';
import { kioskReplaceCampusCard } from './replace-campus-card.js';
import { returnCard, returnQuote, sendReturnRefunds } from './return-card.js';
import { searchCards } from './search-cards.js';
import { exchangeTemporaryCard, issueTemporaryCard } from './temporary-cards.js';

const holderRoles = ['student', 'parent', 'school_admin', 'operator', 'kiosk'] as const;
const tags = ['card-services'];

/** Card services: K-12 yearly extension, return with refund, campus kiosk replacement, temporary cards, admin card search. */
export function cardServicesRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/card-extension-windows', {
      schema: { tags, summary: 'The K-12 yearly extension windows, newest first, with today (Asia/Shanghai)', security: bearer, response: { 200: extensionWindowListSchema, ...errorResponses } },
    }, async (request) => {
      requireCaller(request);
      return listExtensionWindows(ctx);
    });

    app.put('/admin/card-extension-windows/:year', {
      schema: { tags, summary: 'Set a year’s K-12 extension window (operators)', security: bearer, params: extensionWindowYearParams, body: extensionWindowBodySchema, response: { 200: extensionWindowSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 200, (c) => setExtensionWindow(c, caller, request.params.year, request.body, request.id));
    });

    app.get('/cards/:cardId/extension', {
      schema: { tags, summary: 'Status check before the yearly extension: "卡正常状态", the window, the new date or why not', security: bearer, params: cardIdParams, response: { 200: extensionCheckSchema, ...errorResponses } },
    }, async (request) => checkExtension(ctx, requireCaller(request, ...holderRoles), request.params.cardId));

    app.post('/cards/:cardId/extend', {
      schema: { tags, summary: '卡片延期: extend a normal K-12 card inside the window (once per year, within graduation)', security: bearer, params: cardIdParams, response: { 200: extendResultSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student', 'parent', 'school_admin', 'operator');
      return idempotentOperation(ctx, request, reply, 200, (c) => extendCard(c, caller, request.params.cardId, request.id));
    });

    app.get('/cards/:cardId/return', {
      schema: { tags, summary: 'Before 退卡: may the card be returned, its balance and where it is refunded (≤ ¥200 in the app)', security: bearer, params: cardIdParams, response: { 200: returnQuoteSchema, ...errorResponses } },
    }, async (request) => returnQuote(ctx, requireCaller(request, ...holderRoles), request.params.cardId));

    app.post('/cards/:cardId/return', {
      schema: { tags, summary: '退卡: return the card and refund its balance (≤ ¥200 in the app, above at an outlet)', security: bearer, params: cardIdParams, response: { 200: returnResultSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student', 'parent', 'operator');
      const returned = await idempotentOperation(ctx, request, reply, 200, (c) => returnCard(c, caller, request.params.cardId, request.id));
      return sendReturnRefunds(ctx, caller, returned);
    });

    app.post('/kiosk/campus-card-replacements', {
      schema: { tags, summary: '补卡 at the self-service kiosk with the ID card: fee ¥16 from the balance, new card at once', security: bearer, body: kioskReplacementBodySchema, response: { 201: kioskReplacementResultSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'kiosk');
      return idempotentOperation(ctx, request, reply, 201, (c) => kioskReplaceCampusCard(c, caller, request.body, request.id));
    });

    app.post('/admin/temporary-cards', {
      schema: { tags, summary: 'Issue a numbered temporary card to a new student (school staff)', security: bearer, body: temporaryCardBodySchema, response: { 201: cardSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'school_admin', 'operator');
      return idempotentOperation(ctx, request, reply, 201, (c) => issueTemporaryCard(c, caller, request.body, request.id));
    });

    app.post('/admin/temporary-cards/:cardId/exchange', {
      schema: { tags, summary: 'Exchange a temporary card for the formal campus card (balance moved, temporary card closed)', security: bearer, params: cardIdParams, response: { 200: temporaryExchangeResultSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'school_admin', 'operator');
      return idempotentOperation(ctx, request, reply, 200, (c) => exchangeTemporaryCard(c, caller, request.params.cardId, request.id));
    });

    app.get('/admin/cards', {
      schema: { tags, summary: 'Card search: card number, education ID, student number or name; status, product, school (card managers: own school); masked', security: bearer, querystring: adminCardSearchQuerySchema, response: { 200: adminCardPageSchema, ...errorResponses } },
    }, async (request) => searchCards(ctx, requireCaller(request, 'school_admin', 'operator'), request.query));
  };
}
