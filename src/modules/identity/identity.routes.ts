import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { revokeSession, requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { runIdempotent } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { createStaff } from './create-staff.js';
import { loadUser } from './current-user.js';
import './identity.errors.js';
import { createStaffRequestSchema, loginRequestSchema, loginResponseSchema, meResponseSchema, staffSchema } from './identity.schemas.js';
import { login } from './login.js';

export function identityRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/sessions', {
      schema: {
        tags: ['identity'],
        summary: 'Sign in (student by education ID, parent by phone, staff by username)',
        body: loginRequestSchema,
        response: { 201: loginResponseSchema, ...errorResponses },
      },
    }, async (request, reply) => {
      const result = await login(ctx, request.body, { requestId: request.id, source: request.ip });
      return reply.code(201).send(result);
    });

    app.delete('/sessions/current', {
      schema: { tags: ['identity'], summary: 'Sign out: revoke this token', security: bearer, response: { 204: z.null(), ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request);
      await revokeSession(ctx.db, ctx.clock, caller.sessionId);
      return reply.code(204).send(null);
    });

    app.get('/me', {
      schema: { tags: ['identity'], summary: 'The signed-in user, and which sign-in the session came from (loginKind)', security: bearer, response: { 200: meResponseSchema, ...errorResponses } },
    }, async (request) => {
      const caller = requireCaller(request);
      // A terminal's session is no person's: it has no user (loadUser would refuse it the same way).
      if (caller.loginKind === 'terminal') throw fail('AUTH_TOKEN_INVALID');
      const { user, mustChangePassword } = await loadUser(ctx.db, caller.role, caller.subjectId, caller.loginKind);
      return { ...user, mustChangePassword, loginKind: caller.loginKind };
    });

    app.post('/staff', {
      schema: {
        tags: ['identity'],
        summary: 'Create an operator, school card manager or kiosk account (operators only)',
        security: bearer,
        body: createStaffRequestSchema,
        response: { 201: staffSchema, ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return runIdempotent(ctx, request, reply, async (tx) => ({
        statusCode: 201,
        body: await createStaff(tx, ctx.clock, { role: caller.role, id: caller.subjectId }, request.body, request.id),
      }));
    });
  };
}
