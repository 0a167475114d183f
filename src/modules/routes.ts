import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../platform/context.js';
import { academicRoutes } from './academics/academics.routes.js';
import { adminRoutes } from './admin/admin.routes.js';
import { calendarRoutes } from './calendar/calendar.routes.js';
import { campusRoutes } from './campus/campus.routes.js';
import { schoolBillRoutes } from './campus/school-bills.routes.js';
import { cardServicesRoutes } from './card-services/card-services.routes.js';
import { cardsRoutes } from './cards/cards.routes.js';
import { ecardsRoutes } from './ecards/ecards.routes.js';
import { fulfilmentRoutes } from './fulfilment/fulfilment.routes.js';
import { noticesRoutes } from './notices/notices.routes.js';
import { accountRoutes } from './identity/account.routes.js';
import { identityRoutes } from './identity/identity.routes.js';
import { studentAdminRoutes } from './identity/students.routes.js';
import { adminPaymentsRoutes } from './payments/admin-payments.routes.js';
import { paymentsRoutes } from './payments/payments.routes.js';
import { rosterRoutes } from './roster/roster.routes.js';
import { terminalRoutes } from './terminals/terminals.routes.js';
import { fareRoutes } from './transit/fares.routes.js';
import { universityConsoleOnly } from './shared/university-console.js';
import { transitRoutes } from './transit/transit.routes.js';

/** Every module's routes, mounted under /api/v1. */
export function apiRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    // A K-12 school's card manager is refused a university's console services (campus, tuition, temporary cards).
    app.addHook('onRequest', universityConsoleOnly(ctx));
    await app.register(identityRoutes(ctx));
    await app.register(accountRoutes(ctx));
    await app.register(studentAdminRoutes(ctx));
    await app.register(adminRoutes(ctx));
    await app.register(rosterRoutes(ctx));
    await app.register(calendarRoutes(ctx));
    await app.register(paymentsRoutes(ctx));
    await app.register(adminPaymentsRoutes(ctx));
    await app.register(terminalRoutes(ctx));
    await app.register(cardsRoutes(ctx));
    await app.register(ecardsRoutes(ctx));
    await app.register(cardServicesRoutes(ctx));
    await app.register(fulfilmentRoutes(ctx));
    await app.register(fareRoutes(ctx));
    await app.register(transitRoutes(ctx));
    await app.register(campusRoutes(ctx));
    await app.register(schoolBillRoutes(ctx));
    await app.register(noticesRoutes(ctx));
    await app.register(academicRoutes(ctx));
  };
}
