import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { calendarMonth, editDay, openYearFromWeekdays, paymentWindowStatus, setPaymentWeekdays } from './calendar.js';

export const paymentWindowSchema = z.object({
  today: z.string(),
  open: z.boolean(),
  weekdays: z.array(z.number().int()),
  next: z.object({ startDate: z.string(), endDate: z.string() }).nullable().describe('the window open now (whole) while `open`, else the next one; null when it lies beyond the loaded calendar'),
});
export type PaymentWindow = z.infer<typeof paymentWindowSchema>;

export const calendarDaySchema = z.object({ date: z.string(), isWorkingDay: z.boolean(), isHoliday: z.boolean(), isVacation: z.boolean(), name: z.string().nullable(), edited: z.boolean() });
export const dayChangeSchema = z.object({ isWorkingDay: z.boolean(), isHoliday: z.boolean(), isVacation: z.boolean(), name: z.string().trim().max(32).nullable().default(null) });

/** The working-day calendar (operators edit it) and the fee payment window (the app shows it). */
export function calendarRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/payment-window', {
      schema: { tags: ['calendar'], summary: 'Whether fees are payable today, and the next window', response: { 200: paymentWindowSchema, ...errorResponses } },
    }, async () => paymentWindowStatus(ctx.db, ctx.clock));

    app.get('/admin/calendar', {
      schema: {
        tags: ['calendar'], summary: 'One month of the working-day calendar', security: bearer,
        querystring: z.object({ year: z.coerce.number().int().min(2000).max(2100), month: z.coerce.number().int().min(1).max(12) }),
        response: { 200: z.object({ loadedYears: z.array(z.number()), provisionalYears: z.array(z.number()).describe('opened by an operator before the library knew them'), days: z.array(calendarDaySchema) }), ...errorResponses },
      },
    }, async (request) => {
      requireCaller(request, 'operator', 'school_admin');
      return calendarMonth(ctx.db, request.query.year, request.query.month);
    });

    app.put('/admin/calendar/days/:date', {
      schema: {
        tags: ['calendar'], summary: 'Correct a day: holiday, make-up working day or school vacation (operators)', security: bearer,
        params: z.object({ date: z.iso.date() }), body: dayChangeSchema,
        response: { 200: dayChangeSchema.extend({ date: z.string() }), ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 200, (c) => editDay(c.db, c.clock, { role: caller.role, id: caller.subjectId }, request.params.date, request.body, request.id));
    });

    app.post('/admin/calendar/years', {
      schema: {
        tags: ['calendar'], summary: 'Open a year the calendar library does not know yet: weekdays working, weekends off; operators then mark its holidays (operators)', security: bearer,
        body: z.object({ year: z.number().int().min(2000).max(2100) }), response: { 201: z.object({ year: z.number(), source: z.literal('operator') }), ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 201, (c) => openYearFromWeekdays(c.db, c.clock, { role: caller.role, id: caller.subjectId }, request.body.year, request.id));
    });

    app.put('/admin/settings/payment-weekdays', {
      schema: {
        tags: ['calendar'], summary: 'The weekdays fees may be paid on (1 = Monday … 7 = Sunday; operators)', security: bearer,
        body: z.object({ weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7) }),
        response: { 200: z.object({ weekdays: z.array(z.number()) }), ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 200, (c) => setPaymentWeekdays(c.db, c.clock, { role: caller.role, id: caller.subjectId }, request.body.weekdays, request.id));
    });
  };
}
