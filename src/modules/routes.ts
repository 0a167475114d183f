import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context.js';
import { adminRoutes } from './admin/admin.routes.js';
import { calendarRoutes } from './calendar/calendar.routes.js';
import { cardsRoutes } from './cards/cards.routes.js';
import { accountRoutes } from './identity/account.routes.js';
import { identityRoutes } from './identity/identity.routes.js';
import { studentAdminRoutes } from './identity/students.routes.js';
import { paymentsRoutes } from './payments/payments.routes.js';
import { rosterRoutes } from './roster/roster.routes.js';
import { terminalRoutes } from './terminals/terminals.routes.js';

/** Every module's routes, mounted under /api/v1. */
export function apiRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    await app.register(identityRoutes(ctx));
    await app.register(accountRoutes(ctx));
    await app.register(studentAdminRoutes(ctx));
    await app.register(adminRoutes(ctx));
    await app.register(rosterRoutes(ctx));
    await app.register(calendarRoutes(ctx));
    await app.register(paymentsRoutes(ctx));
    await app.register(terminalRoutes(ctx));
    await app.register(cardsRoutes(ctx));
  };
}
