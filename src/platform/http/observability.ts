import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AppContext } from '../context.js';

/** /healthz (the process answers), /readyz (the database answers) and Prometheus /metrics. */
export function registerObservability(app: FastifyInstance, ctx: AppContext): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'onecard_' });
  const httpDuration = new Histogram({
    name: 'onecard_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });

  app.addHook('onResponse', async (request, reply) => {
    httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  const hidden = { schema: { hide: true } };
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async (_request, reply) => {
    try {
      await sql`select 1`.execute(ctx.db);
      return { status: 'ready', database: ctx.dbKind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: ctx.dbKind });
    }
  });
  app.get('/metrics', hidden, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
