import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoInEnglish } from '../../src/domain/ledger-memos.js';
import type { UpgradeKind } from '../../src/modules/ecards/ecard-rules.js';
import { projectRoot } from '../../src/platform/paths.js';

/**
 * The statement shows a transaction's memo in English (`memoEn`, src/domain/ledger-memos.ts) and
 * the English app falls back to the stored Chinese when there is none. This reads the memos the
 * server writes straight from src/ (`memo: '…'` / `` memo: `…` `` and the memo argument of helpers
 * that take one, such as `moveBalance(…, memo, …)`), fills the templates with sample values, and
 * fails for a memo without English, so a new memo cannot reach the English app as Chinese.
 */

/** Sample values for a template's `${…}` part, by the part's code; any other part is data and gets `A1`. */
const every = <T extends string>() => <const L extends readonly T[]>(values: L & ([T] extends [L[number]] ? unknown : 'a value is missing')) => values;
const placeholderValues: Record<string, readonly string[]> = {
  kind: every<UpgradeKind>()(['小升初', '初升高']), // upgrade-k12-ecard.ts: 电子学生卡升级（${kind}）
  'step.device.paidHours': ['1', '12'], // network.ts: 第 ${…} 小时 is a number of hours
};
const dataSample = 'A1';

/**
 * Memo expressions that are not written text, by file: each with why it needs no English. A memo
 * that is data stays as stored in both languages; the rest pass along a memo written (and scanned)
 * elsewhere, or read one back.
 */
const notWrittenHere: Record<string, Record<string, string>> = {
  'src/modules/campus/school-bills.ts': { title: 'data: a school bill’s own title, set by the school' },
  'src/modules/ledger/holds.ts': { 'request.memo ?? null': 'passes the caller’s memo', 'hold.memo': 'passes the hold’s memo' },
  'src/modules/ledger/post-batch.ts': { 't.memo ?? null': 'passes the caller’s memo' },
  'src/modules/ledger/post-transaction.ts': { 'request.memo ?? null': 'passes the caller’s memo' },
  'src/modules/ledger/record-transaction.ts': { 't.memo ?? null': 'passes the caller’s memo', 'transaction.memo': 'audit copy of the memo' },
  'src/modules/ledger/reverse-transaction.ts': { 'request.memo ?? null': 'passes the caller’s memo' },
  'src/modules/ledger/transfer-balance.ts': { 'request.memo ?? null': 'passes the caller’s memo' },
  'src/modules/ledger/ledger.repository.ts': { 'x.memo': 'stores the memo', 't.memo': 'reads the memo', 'hold.memo': 'reads the memo' },
  'src/modules/ledger/account-statement.ts': { 'r.memo': 'reads the memo' },
  'src/modules/payments/list-balance-refunds.ts': { 'payout.memo': 'reads the memo' },
  'src/modules/payments/payments.repository.ts': { 'row.memo': 'reads the memo' },
  'src/modules/payments/search-orders.ts': { 't.memo': 'reads the memo' },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The index just past the string or template literal that opens at `from` (nested `${…}` included). */
function literalEnd(text: string, from: number): number {
  const quote = text[from]!;
  for (let i = from + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') i++;
    else if (c === quote) return i + 1;
    else if (quote === '`' && c === '$' && text[i + 1] === '{') i = blockEnd(text, i + 1) - 1;
  }
  return text.length;
}

/** The index just past the bracket that closes the one at `from`. */
function blockEnd(text: string, from: number): number {
  let depth = 0;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') i = literalEnd(text, i) - 1;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && --depth === 0) return i + 1;
  }
  return text.length;
}

/** The expressions separated by top-level commas from `from` up to the `)` `]` `}` or `;` that ends them. */
function expressionsAt(text: string, from: number): string[] {
  const parts: string[] = [];
  let start = from;
  for (let i = from; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') i = literalEnd(text, i) - 1;
    else if (c === '(' || c === '[' || c === '{') i = blockEnd(text, i) - 1;
    else if (c === ',') {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    } else if (c === ')' || c === ']' || c === '}' || c === ';') return [...parts, text.slice(start, i).trim()];
  }
  return [...parts, text.slice(start).trim()];
}

/** A template's literal text and its `${…}` parts' code. */
function templateParts(literal: string): { texts: string[]; codes: string[] } {
  const texts: string[] = [];
  const codes: string[] = [];
  let text = '';
  for (let i = 1; i < literal.length - 1; i++) {
    if (literal[i] === '$' && literal[i + 1] === '{') {
      const end = blockEnd(literal, i + 1);
      codes.push(literal.slice(i + 2, end - 1).trim());
      texts.push(text);
      text = '';
      i = end - 1;
    } else text += literal[i] === '\\' ? literal[++i] : literal[i];
  }
  texts.push(text);
  return { texts, codes };
}

/** The values a `${…}` part can take: a lookup such as `{ a: '充值', … }[kind]` gives its strings; else the table, or a data sample. */
function valuesOf(code: string): readonly string[] {
  const lookup = /^\{([^{}]*)\}\[[^\]]+\]$/.exec(code);
  if (lookup) return [...lookup[1]!.matchAll(/'([^'\\]*)'/g)].map((m) => m[1]!);
  return placeholderValues[code] ?? [dataSample];
}

function fill(template: string): string[] {
  const { texts, codes } = templateParts(template);
  return codes.reduce<string[]>((filled, code, i) => filled.flatMap((head) => valuesOf(code).map((value) => head + value + texts[i + 1])), [texts[0]!]);
}

type Found = { memo: string; where: string };

/** Every memo the server writes (each template filled), and the memo expressions that are not text. */
function writtenMemos(): { memos: Found[]; templates: Found[]; others: Found[]; helpers: Map<string, number> } {
  const files = sourceFiles(join(projectRoot(), 'src')).map((file) => ({ where: relative(projectRoot(), file), text: readFileSync(file, 'utf8') }));
  // Helpers with a parameter named memo, and its position: moveBalance(tx, clock, from, to, memo, actor).
  const helpers = new Map<string, number>();
  for (const { text } of files) {
    for (const match of text.matchAll(/\bfunction\s+(\w+)\s*(?:<[^>]*>)?\(/g)) {
      const position = expressionsAt(text, match.index + match[0].length).findIndex((parameter) => /^memo\??\s*:/.test(parameter));
      if (position >= 0) helpers.set(match[1]!, position);
    }
  }
  const memos: Found[] = [];
  const templates: Found[] = [];
  const others: Found[] = [];
  const take = (expression: string, where: string) => {
    if (/^['"`]/.test(expression) && literalEnd(expression, 0) === expression.length) {
      if (expression.startsWith('`')) {
        templates.push({ memo: expression, where });
        for (const memo of fill(expression)) memos.push({ memo, where });
      } else memos.push({ memo: templateParts(expression).texts[0]!, where });
    } else if (/^(?:string|null|undefined)(?:\s*\|\s*(?:string|null|undefined))*$/.test(expression) || /^z\./.test(expression)) {
      // a type or a schema, not a value
    } else others.push({ memo: expression, where });
  };
  for (const { where, text } of files) {
    for (const match of text.matchAll(/\bmemo\s*:\s*/g)) take(expressionsAt(text, match.index + match[0].length)[0]!, where);
    for (const [helper, position] of helpers) {
      for (const match of text.matchAll(new RegExp(`(?<!function\\s+)\\b${helper}\\(`, 'g'))) {
        const argument = expressionsAt(text, match.index + match[0].length)[position];
        if (argument !== undefined) take(argument, where);
      }
    }
  }
  return { memos, templates, others, helpers };
}

describe('the English of the memos the server writes', () => {
  const { memos, templates, others, helpers } = writtenMemos();

  it('finds the memos the server writes (the scan works)', () => {
    expect(helpers.get('moveBalance')).toBe(4);
    expect(memos.length).toBeGreaterThan(20);
    expect(memos.map((m) => m.memo)).toEqual(expect.arrayContaining(['补卡余额转移', '电子学生卡换机', '电子学生卡升级（小升初）', '电子学生卡升级（初升高）', '充值 A1', '学费缴费 A1', '校园网 A1 A1 第 12 小时']));
    expect(templates.map((t) => t.where)).toEqual(expect.arrayContaining(['src/modules/payments/payment-ledger.ts', 'src/modules/ecards/upgrade-k12-ecard.ts']));
  });

  it('knows why each memo that is not written text needs no English', () => {
    const unexplained = others.filter(({ memo, where }) => notWrittenHere[where]?.[memo] === undefined).map(({ memo, where }) => `${where}: memo ${memo}`);
    expect(unexplained, 'memo expressions that are neither a string nor a template: list them in notWrittenHere with why').toEqual([]);
    const listed = Object.entries(notWrittenHere).flatMap(([where, expressions]) => Object.keys(expressions).map((memo) => `${where}: memo ${memo}`));
    const seen = new Set(others.map(({ memo, where }) => `${where}: memo ${memo}`));
    expect(listed.filter((entry) => !seen.has(entry)), 'entries in notWrittenHere the code no longer has').toEqual([]);
  });

  it('gives each template part the table names a value the code can give', () => {
    const codes = new Set(templates.flatMap(({ memo }) => templateParts(memo).codes));
    expect(Object.keys(placeholderValues).filter((code) => !codes.has(code))).toEqual([]);
  });

  it('has English, without Chinese, for every memo the server writes', () => {
    const missing = memos.filter(({ memo }) => memoInEnglish(memo) === null).map(({ memo, where }) => `${where}: ${memo}`);
    expect(missing, 'memos without a rule in src/domain/ledger-memos.ts').toEqual([]);
    for (const { memo } of memos) expect([memo, memoInEnglish(memo)]).toEqual([memo, expect.not.stringMatching(/[\u4e00-\u9fff]/)]);
  });
});
