import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { denyListPublicKey } from '../transit/deny-list.js';
import { registerTerminal, terminalById, terminalLogin } from './terminals.js';

export const terminalKindSchema = z.enum(['bus_validator', 'rail_gate', 'pos', 'reader', 'network_gateway']);
const terminalSchema = z.object({ id: z.string(), code: z.string(), kind: terminalKindSchema, operator: z.string(), location: z.string().nullable(), schoolId: z.string().nullable() });

/** Terminals are registered by operators and authenticate with their own credentials. */
export function terminalRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/admin/terminals', {
      schema: {
        tags: ['terminals'], summary: 'Register a terminal; its secret is shown once (operators)', security: bearer,
        body: z.object({
          code: z.string().trim().regex(/^[A-Za-z0-9-]{3,32}$/), kind: terminalKindSchema, operator: z.string().trim().min(1).max(64), location: z.string().trim().max(64).nullable().default(null),
          /** The university a canteen POS (pos) or dorm reader (reader) serves; transit terminals have none. */
          schoolId: z.uuid().nullable().default(null),
        }),
        response: { 201: terminalSchema.extend({ secret: z.string() }), ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 201, (c) => registerTerminal(c, { role: caller.role, id: caller.subjectId }, request.body, request.id));
    });

    app.post('/terminal-sessions', {
      schema: {
        tags: ['terminals'], summary: 'A terminal signs in with its code and secret',
        body: z.object({ code: z.string().trim().min(1).max(32), secret: z.string().min(1).max(128) }),
        response: { 201: z.object({ token: z.string(), expiresAt: z.string(), terminalId: z.string() }), ...errorResponses },
      },
    }, async (request, reply) => reply.code(201).send(await terminalLogin(ctx, request.body)));

    app.get('/terminal/me', {
      schema: { tags: ['terminals'], summary: 'The signed-in terminal, with the public key its deny-lists are signed with', security: bearer, response: { 200: terminalSchema.extend({ lastSeenAt: z.string().nullable(), denyListPublicKey: z.string() }), ...errorResponses } },
    }, async (request) => ({ ...(await terminalById(ctx, requireCaller(request, 'terminal').subjectId)), denyListPublicKey: denyListPublicKey(ctx) }));
  };
}
