import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AppContext } from '../../platform/context.js';

/** Roster import endpoints (being written). */
export function rosterRoutes(_ctx: AppContext): FastifyPluginAsyncZod {
  return async () => {};
}
