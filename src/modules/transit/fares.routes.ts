import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { shanghaiDate } from '../../domain/calendar.js';
import { fareTableFor, quoteFare, railFareWithMonthlyDiscount } from '../../domain/fares.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { errorResponses } from '../shared/http.js';
import './fares.errors.js';
import { fareQuoteQuerySchema, fareQuoteSchema, type FareQuoteQuery, type FareQuoteResponse } from './fares.schemas.js';

/** Prices one ride with the fare rules in force on the ride's date (today in Beijing by default). */
export function fareQuote(ctx: AppContext, q: FareQuoteQuery): FareQuoteResponse {
  if (q.distanceKm === 0) throw fail('FARE_DISTANCE_ZERO', { distanceKm: 0 });
  const date = q.date ?? shanghaiDate(ctx.clock.now());
  const quote = quoteFare({ mode: q.mode, distanceKm: q.distanceKm, category: q.category, lineType: q.lineType, monthSpentFen: q.monthSpentFen, date });
  const monthSpentFen = q.monthSpentFen ?? 0;
  const monthly =
    quote.rule === 'RAIL_CARD'
      ? (({ tier, tierFromSpentFen, nextTierFromSpentFen }) => ({ monthSpentFen, tier, tierFromSpentFen, nextTierFromSpentFen }))(
          railFareWithMonthlyDiscount({ fullFareFen: quote.fullFareFen, monthSpentFen, date }),
        )
      : null;
  return {
    fareFen: quote.fareFen,
    fullFareFen: quote.fullFareFen,
    ratePercent: quote.ratePercent,
    rule: quote.rule,
    explanation: quote.explanation,
    fareTableFrom: fareTableFor(date).effectiveFrom,
    monthly,
  };
}

/** The public fare calculator (no login). */
export function fareRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/fares/quote', {
      schema: {
        tags: ['transit'],
        summary: 'Price a bus or rail ride: the fare, the full fare, the rule that applied and why (zh / en)',
        querystring: fareQuoteQuerySchema,
        response: { 200: fareQuoteSchema, ...errorResponses },
      },
    }, async (request) => fareQuote(ctx, request.query));
  };
}
