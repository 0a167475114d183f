import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { apiRoutes } from '../../modules/routes.js';
import { DomainError } from '../../domain/errors.js';
import { resolveCaller } from '../auth.js';
import type { AppContext } from '../context.js';
import { loggerOptions } from '../logger.js';
import { installErrorHandling } from './error-handler.js';
import { registerObservability } from './observability.js';
import { registerWebApps } from './web-apps.js';

export type App = FastifyInstance;

/**
 * The HTTP server: external plugins first (docs, static files), then the app's hooks, then
 * the API routes under /api/v1. Every route declares zod schemas; OpenAPI comes from them.
 */
export async function buildServer(ctx: AppContext, options: { logger?: boolean } = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger === false ? false : loggerOptions(ctx.config.logLevel),
    bodyLimit: ctx.config.bodyLimitBytes,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    trustProxy: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Onecard API',
        version: '1',
        description: 'Student cards for schools and universities: identities, cards, money, transit and campus payments.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const pageFallback = await registerWebApps(app);
  installErrorHandling(app, pageFallback);
  registerObservability(app, ctx);

  app.decorateRequest('caller', null);
  app.decorateRequest('authError', null);
  // Authentication runs before body parsing, so a bad token is a 401 whatever the body holds.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (request.url.startsWith('/api/')) {
      // A stale token must not break public endpoints such as sign-in; protected ones throw it.
      try {
        request.caller = await resolveCaller(ctx.db, ctx.clock, request.headers.authorization);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        request.authError = error;
      }
    }
  });

  await app.register(apiRoutes(ctx), { prefix: '/api/v1' });
  return app;
}
