import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventLabels } from '../../src/domain/card-lifecycle.js';
import type { RepairEvent } from '../../src/domain/campus-payments.js';
import type { DeliveryStatus } from '../../src/domain/fulfilment-lifecycle.js';
import { applicationStepSchema } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { projectRoot } from '../../src/platform/paths.js';
import { auditActions, auditActionText, auditGroups } from '../../web/admin/src/audit/actionLabels.js';
import { expressionAt, sourceFiles } from '../support/source-scan.js';

/**
 * The console's audit log shows every action in words (web/admin/src/audit/actionLabels.ts). This
 * reads the actions the server writes straight from src/ (`action: '…'` in recordAudit calls,
 * `const action = …`, and templates such as `cards.${event}`), so an action added without words
 * fails here instead of reaching the log as a raw code.
 */

/** What a template's `${…}` part can be, per template (written as the code with `*` for the part). */
const every = <T extends string>() => <const L extends readonly T[]>(values: L & ([T] extends [L[number]] ? unknown : 'a value is missing')) => values;
const templateValues: Record<string, readonly string[]> = {
  'cards.*': [...Object.keys(eventLabels), 'issue'], // appendStatusEvent: a card event, or the first status at issue
  'campus.repair.*': every<RepairEvent>()(['accept', 'finish', 'cancel']),
  'fulfilment.application.*': applicationStepSchema.options,
  'fulfilment.delivery.*': every<DeliveryStatus>()(['created', 'in_transit', 'delivered', 'failed', 'returned']),
  'ledger.hold.*': every<'voided' | 'expired'>()(['voided', 'expired']),
  'payments.order.*': every<'cancelled' | 'expired'>()(['cancelled', 'expired']),
  'academic.*.uploaded': every<'timetable' | 'grades'>()(['timetable', 'grades']),
  'academic.*.cleared': every<'timetable' | 'grades'>()(['timetable', 'grades']),
  'campus.*.failed': every<'query_password' | 'consumption_pin'>()(['query_password', 'consumption_pin']),
};

const code = /^[a-z][a-z0-9_]*(\.[a-z0-9_*]+)+$/;

/** Every audit action code (literal or template) the server writes, with where it is written. */
function writtenActions(): { literal: Map<string, string>; template: Map<string, string> } {
  const literal = new Map<string, string>();
  const template = new Map<string, string>();
  for (const file of sourceFiles(join(projectRoot(), 'src'))) {
    const text = readFileSync(file, 'utf8');
    const where = relative(projectRoot(), file);
    for (const match of text.matchAll(/\b(?:action\s*:|const action\s*=)\s*/g)) {
      const expression = expressionAt(text, match.index + match[0].length);
      for (const [, value] of expression.matchAll(/'([^'\\]*)'|"([^"\\]*)"/g)) if (value && code.test(value)) literal.set(value, where);
      for (const [, body] of expression.matchAll(/`([^`]*)`/g)) {
        const pattern = body!.replace(/\$\{[^}]*\}/g, '*');
        if (code.test(pattern)) (pattern.includes('*') ? template : literal).set(pattern, where);
      }
    }
  }
  return { literal, template };
}

describe('the audit log’s words for actions', () => {
  const { literal, template } = writtenActions();

  it('finds the actions the server writes (the scan works)', () => {
    expect(literal.size).toBeGreaterThan(100);
    expect([...literal.keys()]).toEqual(expect.arrayContaining(['login.succeeded', 'campus.repair.reported', 'student.promoted', 'roster.import_failed', 'demo.seeded']));
    expect([...template.keys()]).toEqual(expect.arrayContaining(['cards.*', 'payments.order.*']));
  });

  it('knows what every templated action can be', () => {
    for (const [pattern, where] of template) expect([pattern, where, templateValues[pattern] !== undefined]).toEqual([pattern, where, true]);
  });

  it('has words, zh and en, for every action the server writes', () => {
    const expanded = [...template.keys()].flatMap((pattern) => (templateValues[pattern] ?? []).map((value) => pattern.replace('*', value)));
    const missing = [...literal.keys(), ...expanded].filter((action) => auditActions[action] === undefined);
    expect(missing, 'actions the server writes without words in web/admin/src/audit/actionLabels.ts').toEqual([]);
    for (const action of [...literal.keys(), ...expanded]) {
      const zh = auditActionText(action, 'zh-CN');
      const en = auditActionText(action, 'en');
      expect([action, zh.known, en.known]).toEqual([action, true, true]);
      expect(zh.label).toMatch(/[\u4e00-\u9fff]/);
      expect(en.label).not.toMatch(/[\u4e00-\u9fff]/);
      expect(en.label).not.toBe(action);
    }
  });

  it('has no words for actions the server never writes (the table does not rot)', () => {
    const written = new Set([...literal.keys(), ...[...template.keys()].flatMap((p) => (templateValues[p] ?? []).map((v) => p.replace('*', v)))]);
    expect(Object.keys(auditActions).filter((action) => !written.has(action))).toEqual([]);
  });

  it('puts every action in a group with zh and en names, and shows an unknown code as itself', () => {
    for (const [, [group]] of Object.entries(auditActions)) expect(auditGroups[group]).toBeDefined();
    expect(auditActionText('login.succeeded', 'zh-CN')).toEqual({ label: '登录成功', group: '账号与登录', known: true });
    expect(auditActionText('campus.repair.reported', 'en')).toEqual({ label: 'Repair reported', group: 'Campus services', known: true });
    expect(auditActionText('something.new', 'en')).toEqual({ label: 'something.new', group: null, known: false });
  });
});
