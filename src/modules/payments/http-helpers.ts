import type { FastifyInstance, FastifyRequest } from 'fastify';

/** The server's own origin as the client reached it; the sandbox gateway lives there too. */
export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

/**
 * In the calling plugin only (Fastify encapsulates parsers): form and JSON bodies arrive as the
 * raw text, because gateway signatures are over the exact bytes received.
 */
export function keepRawBodies(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded', 'text/plain'], { parseAs: 'string' }, (_request, body, done) => done(null, body));
}
