import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reading the server's own source, for the tests that check what it writes (the audit log's
 * actions and entity types have words in the console; test/unit/audit-*-labels.test.ts).
 */

/** Every .ts file under `dir`, tests left out. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The expression starting at `from`, up to the `,` `;` `)` or `}` that ends it (strings and brackets skipped). */
export function expressionAt(text: string, from: number): string {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if (depth === 0 && (c === ',' || c === ';' || c === ')' || c === '}' || c === ']')) return text.slice(from, i);
  }
  return text.slice(from);
}
