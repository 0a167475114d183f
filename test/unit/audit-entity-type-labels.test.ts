import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/platform/paths.js';
import { auditEntityTypes, auditEntityTypeText } from '../../web/admin/src/audit/entityTypeLabels.js';
import { expressionAt, sourceFiles } from '../support/source-scan.js';

/**
 * The console's audit log says what each row is about (对象) in words
 * (web/admin/src/audit/entityTypeLabels.ts). This reads the entity types the server writes straight
 * from src/ (`entityType: '…'`, in recordAudit calls and in what is passed on to one), so a new
 * kind of object without words fails here instead of reaching the log as a raw code.
 */

/** The `entityType:` that are not a value written: each with why, file by file. A new one fails until it is read and listed. */
const notWritten: Record<string, Record<string, string>> = {
  'src/platform/audit.ts': { string: 'the audit entry’s type' },
  'src/modules/ledger/post-batch.ts': { string: 'the request’s type (its callers write the literal)', 'request.audit.entityType': 'passes the caller’s entity type' },
  'src/modules/admin/admin.routes.ts': { 'r.entity_type': 'reads the row' },
};

const code = /^[a-z][a-z_]*$/;

/** Every entity type the server writes, with where, and every other `entityType:` expression found. */
function writtenEntityTypes(): { written: Map<string, string>; other: { where: string; expression: string }[] } {
  const written = new Map<string, string>();
  const other: { where: string; expression: string }[] = [];
  for (const file of sourceFiles(join(projectRoot(), 'src'))) {
    const text = readFileSync(file, 'utf8');
    const where = relative(projectRoot(), file);
    for (const match of text.matchAll(/\bentityType\??\s*:\s*/g)) {
      const expression = expressionAt(text, match.index + match[0].length).trim();
      if (expression.startsWith('z.')) continue; // a schema's field (the audit log's filter and rows), not a value written
      const literals = [...expression.matchAll(/'([^'\\]*)'|"([^"\\]*)"/g)].map((m) => m[1] ?? m[2] ?? '');
      // A literal, or a choice between literals (`a ? 'x' : 'y'`): each is written.
      if (literals.length > 0 && literals.every((value) => code.test(value)) && !expression.includes('`')) for (const value of literals) written.set(value, where);
      else other.push({ where, expression });
    }
  }
  return { written, other };
}

describe('the audit log’s words for what a row is about', () => {
  const { written, other } = writtenEntityTypes();

  it('finds the entity types the server writes (the scan works)', () => {
    expect(written.size).toBeGreaterThan(25);
    expect([...written.keys()]).toEqual(expect.arrayContaining(['student', 'card', 'payment_refund', 'balance_refund', 'campus_repair', 'system']));
  });

  it('knows every entityType that is not a literal (nothing written escapes the scan)', () => {
    const unknown = other.filter(({ where, expression }) => notWritten[where]?.[expression] === undefined);
    expect(unknown, 'entityType expressions the scan cannot read: write a literal, or list it in notWritten with why').toEqual([]);
  });

  it('has words, zh and en, for every entity type the server writes', () => {
    const missing = [...written].filter(([type]) => auditEntityTypes[type] === undefined).map(([type, where]) => `${type} (${where})`);
    expect(missing, 'entity types the server writes without words in web/admin/src/audit/entityTypeLabels.ts').toEqual([]);
    for (const type of written.keys()) {
      const zh = auditEntityTypeText(type, 'zh-CN');
      const en = auditEntityTypeText(type, 'en');
      expect(zh.label, type).toMatch(/[\u4e00-\u9fff]/);
      expect(en.label, type).not.toMatch(/[\u4e00-\u9fff]/);
      expect(en.label, type).not.toBe(type);
    }
  });

  it('has no words for entity types the server never writes (the table does not rot)', () => {
    expect(Object.keys(auditEntityTypes).filter((type) => !written.has(type))).toEqual([]);
  });

  it('shows an unknown entity type as itself', () => {
    expect(auditEntityTypeText('payment_refund', 'zh-CN')).toEqual({ label: '支付退款', known: true });
    expect(auditEntityTypeText('payment_refund', 'en')).toEqual({ label: 'Payment refund', known: true });
    expect(auditEntityTypeText('something_new', 'en')).toEqual({ label: 'something_new', known: false });
  });
});
