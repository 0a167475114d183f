import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { templateKey } from '../support/template-key.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A miniature project: what prepareDatabase builds the test template from, and a bystander. */
function project(): { root: string; write(path: string, text: string): void } {
  const root = mkdtempSync(join(tmpdir(), 'onecard-template-key-'));
  roots.push(root);
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('package-lock.json', '{"lockfileVersion":3}');
  write('src/platform/boot.ts', "import { migrateToLatest } from './db/database.js';\n");
  write('src/platform/db/database.ts', "import type { Database } from './schema.js';\nimport * as foundation from './migrations/0001-foundation.js';\n");
  write('src/platform/db/schema.ts', 'export interface Database { a: string }\n');
  write('src/platform/db/migrations/0001-foundation.ts', "import {\n  seedPhones,\n} from '../../../modules/ecards/seed.js';\nexport const up = 'create table a';\n");
  write('src/modules/ecards/seed.ts', "export const seedPhones = ['mate 40'];\n");
  write('src/modules/calendar/seed-calendar.ts', "export const source = 'chinese-days';\n");
  write('src/modules/cards/cards.ts', 'export const unrelated = 1;\n');
  return { root, write };
}

describe('the PGlite test template key', () => {
  it('is the same for the same sources, so runs reuse one template', () => {
    const p = project();
    expect(templateKey(p.root)).toMatch(/^[0-9a-f]{16}$/);
    expect(templateKey(p.root)).toBe(templateKey(p.root));
  });

  it('changes when a migration being written changes under the same name', () => {
    const p = project();
    const before = templateKey(p.root);
    p.write('src/platform/db/migrations/0001-foundation.ts', "export const up = 'create table a (id int)';\n");
    expect(templateKey(p.root)).not.toBe(before);
  });

  it('changes when a migration is added, when seed data a migration imports changes, and when dependencies change', () => {
    const p = project();
    const keys = new Set([templateKey(p.root)]);
    p.write('src/modules/ecards/seed.ts', "export const seedPhones = ['mate 40', 'mate 60'];\n");
    keys.add(templateKey(p.root));
    p.write('src/platform/db/migrations/0002-more.ts', "export const up = 'create table b';\n");
    p.write('src/platform/db/database.ts', "import * as foundation from './migrations/0001-foundation.js';\nimport * as more from './migrations/0002-more.js';\n");
    keys.add(templateKey(p.root));
    p.write('package-lock.json', '{"lockfileVersion":3,"pglite":"0.5.1"}');
    keys.add(templateKey(p.root));
    expect(keys.size).toBe(4);
  });

  it('stays when only code outside the migrations changes, or types the migrations do not run', () => {
    const p = project();
    const before = templateKey(p.root);
    p.write('src/modules/cards/cards.ts', 'export const unrelated = 2;\n');
    p.write('src/platform/db/schema.ts', 'export interface Database { a: string; b: number }\n');
    expect(templateKey(p.root)).toBe(before);
  });
});
