import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { webDistDir } from '../paths.js';

/** Where the built apps are; tests point these at a temporary web root. */
export interface WebAppDirs {
  app: string;
  admin: string;
}

/**
 * index.html names the current build's hashed files, so browsers must ask for it again every time
 * (a deploy is picked up on the next load); the hashed files under assets/ never change.
 */
function cacheHeadersUnder(root: string) {
  // Relative to the app's root: a deploy directory that happens to be called assets must not make index.html immutable.
  return (res: { setHeader(name: string, value: string): unknown }, path: string): void => {
    res.setHeader('cache-control', relative(root, path).split(sep)[0] === 'assets' ? 'public, max-age=31536000, immutable' : 'no-cache');
  };
}

/**
 * Serves the built web apps: the student/parent app at `/`, the admin console at `/admin/`.
 * Files are looked up on each request (`wildcard: true`), not listed once at start, so a rebuild of
 * dist/ while the server runs serves the new hashed files. Client-side routes (e.g. /cards,
 * /admin/schools) fall back to each app's index.html; a missing file (a path with an extension,
 * such as /admin/assets/gone.js) stays a 404. Returns the fallback for the not-found handler, or
 * undefined when the apps are not built.
 */
export async function registerWebApps(
  app: FastifyInstance,
  dirs: WebAppDirs = { app: webDistDir('app'), admin: webDistDir('admin') },
): Promise<((request: FastifyRequest, reply: FastifyReply) => boolean) | undefined> {
  const { app: appDir, admin: adminDir } = dirs;
  if (!existsSync(appDir) || !existsSync(adminDir)) {
    app.log.warn('web apps are not built (run `npm run build:web`); serving the API only');
    return undefined;
  }
  const common = { wildcard: true, index: 'index.html', cacheControl: false } as const;
  await app.register(fastifyStatic, { ...common, root: appDir, prefix: '/', setHeaders: cacheHeadersUnder(appDir) });
  await app.register(fastifyStatic, { ...common, root: adminDir, prefix: '/admin/', decorateReply: false, setHeaders: cacheHeadersUnder(adminDir) });
  app.get('/admin', { schema: { hide: true } }, (_request, reply) => reply.redirect('/admin/'));

  return (request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (request.method !== 'GET' || path.startsWith('/api/') || /\.[a-z0-9]+$/i.test(path)) return false;
    void reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html', path.startsWith('/admin/') ? adminDir : appDir, { cacheControl: false });
    return true;
  };
}
