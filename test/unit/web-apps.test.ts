import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../src/platform/http/error-handler.js';
import { registerWebApps } from '../../src/platform/http/web-apps.js';

/**
 * A deploy replaces dist/web while the server runs: the new build's hashed files must be served
 * without a restart (else the new index.html names files that 404 and the app is a blank page).
 */
describe('web apps: files that appear after start', () => {
  let root: string;
  let app: FastifyInstance;

  function writeBuild(dir: string, asset: string) {
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), `<script type="module" src="./assets/${asset}"></script>`);
    writeFileSync(join(dir, 'assets', asset), `console.log(${JSON.stringify(asset)});`);
  }

  beforeEach(async () => {
    // Deployed under a directory called assets: only the apps' own assets/ are immutable.
    root = join(mkdtempSync(join(tmpdir(), 'onecard-web-')), 'assets');
    writeBuild(join(root, 'app'), 'index-old.js');
    writeBuild(join(root, 'admin'), 'index-old.js');
    app = Fastify({ logger: false });
    installErrorHandling(app, await registerWebApps(app, { app: join(root, 'app'), admin: join(root, 'admin') }));
    await app.ready();
  });

  afterEach(async () => {
    await app.close();
    rmSync(dirname(root), { recursive: true, force: true });
  });

  it('serves a rebuilt console: the new index.html and its new hashed files', async () => {
    expect((await app.inject('/admin/assets/index-old.js')).statusCode).toBe(200);
    writeBuild(join(root, 'admin'), 'index-new.js');
    writeBuild(join(root, 'app'), 'index-new.js');

    const asset = await app.inject('/admin/assets/index-new.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toContain('index-new.js');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await app.inject('/assets/index-new.js')).statusCode).toBe(200);

    const index = await app.inject('/admin/');
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain('index-new.js');
    expect(index.headers['cache-control']).toBe('no-cache');
  });

  it('answers app routes with index.html, not cached, and a missing asset with a 404', async () => {
    writeBuild(join(root, 'admin'), 'index-new.js');
    for (const url of ['/admin/schools', '/admin/students/0190-abc?page=2', '/cards']) {
      const page = await app.inject(url);
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type'], url).toContain('text/html');
      expect(page.headers['cache-control'], url).toBe('no-cache');
    }
    expect((await app.inject('/admin/schools')).body).toContain('index-new.js');

    for (const url of ['/admin/assets/gone-123.js', '/assets/gone-123.css']) {
      const missing = await app.inject(url);
      expect(missing.statusCode, url).toBe(404);
      expect(missing.body, url).not.toContain('<script');
    }
    const api = await app.inject('/api/v1/nothing-here');
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });
});
