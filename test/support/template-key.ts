import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * What a migrated test template is built from: prepareDatabase (boot.ts) runs the migrations
 * listed in database.ts and seeds the calendar. Those files and every project file they import
 * at run time are hashed, contents and not just names, because a migration being written changes
 * while its name stays; package-lock.json covers PGlite's dump format and the chinese-days data.
 */
const roots = ['src/platform/db/database.ts', 'src/modules/calendar/seed-calendar.ts'];
const alsoHashed = ['src/platform/boot.ts', 'package-lock.json'];

/** `from './x.js'`, `import './x.js'`, `import('./x.js')`; `import type` lines load nothing. */
const relativeImport = /^(?!import type\b).*?(?:from|import)\s*\(?\s*'(\.\.?\/[^']+)'/gm;

function resolveSource(fromFile: string, specifier: string): string | undefined {
  const target = resolve(dirname(fromFile), specifier);
  return [target.replace(/\.js$/, '.ts'), target.replace(/\.js$/, '.tsx'), target].find((file) => existsSync(file));
}

/** The root files and, transitively, the project files they import (relative specifiers only). */
export function importClosure(rootFiles: string[]): string[] {
  const seen = new Set<string>();
  const pending = [...rootFiles];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(relativeImport)) {
      const imported = specifier && resolveSource(file, specifier);
      if (imported) pending.push(imported);
    }
  }
  return [...seen].sort();
}

/** A short hash that changes whenever the migrated template would come out different. */
export function templateKey(root = projectRoot()): string {
  const files = [...importClosure(roots.map((file) => resolve(root, file))), ...alsoHashed.map((file) => resolve(root, file))];
  const hash = createHash('sha256');
  for (const file of files) hash.update(`${relative(root, file)}\0`).update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 16);
}
