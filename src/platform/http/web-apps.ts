import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { webDistDir } from '../paths.js';

/**
 * Serves the built web apps: the student/parent app at `/`, the admin console at `/admin/`.
 * Client-side routes (e.g. /cards, /admin/schools) fall back to each app's index.html.
 * Returns the fallback for the not-found handler, or undefined when the apps are not built.
 */
export async function registerWebApps(app: FastifyInstance): Promise<((request: FastifyRequest, reply: FastifyReply) => boolean) | undefined> {
  const appDir = webDistDir('app');
  const adminDir = webDistDir('admin');
  if (!existsSync(appDir) || !existsSync(adminDir)) {
    app.log.warn('web apps are not built (run `npm run build:web`); serving the API only');
    return undefined;
  }
  await app.register(fastifyStatic, { root: appDir, prefix: '/', wildcard: false, index: 'index.html' });
  await app.register(fastifyStatic, { root: adminDir, prefix: '/admin/', decorateReply: false, wildcard: false, index: 'index.html' });
  app.get('/admin', { schema: { hide: true } }, (_request, reply) => reply.redirect('/admin/'));

  return (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (request.method !== 'GET' || path.startsWith('/api/') || /\.[a-z0-9]+$/i.test(path)) return false;
    void reply.type('text/html').sendFile('index.html', path.startsWith('/admin/') ? adminDir : appDir);
    return true;
  };
}
