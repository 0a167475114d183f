import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { roleSchema } from '../../src/modules/identity/identity.schemas.js';
import { autoTopUpCreator } from '../../src/modules/payments/order-rules.js';
import { projectRoot } from '../../src/platform/paths.js';
import { labelOf, messages } from '../../web/admin/src/messages.js';
import { sourceFiles } from '../support/source-scan.js';

/**
 * The console's audit log, card history and student timeline name who acted (操作人) through
 * labelOf(…, 'role', …), which shows an unknown role as its raw code ("gateway"). This reads
 * every actor role the server writes (the login roles, and the system actors written as
 * `role: '…'` literals: the payment gateway, the system, the command line) so a new one without
 * words fails here instead of reaching the operator as a code.
 */
function writtenActorRoles(): Set<string> {
  const roles = new Set<string>([...roleSchema.options, autoTopUpCreator]);
  for (const file of sourceFiles(join(projectRoot(), 'src'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\brole:\s*'([a-z_]+)'/g)) roles.add(match[1]!);
  }
  return roles;
}

describe('the console’s words for who acted', () => {
  const roles = writtenActorRoles();

  it('finds the system actors the server writes (the scan works)', () => {
    expect([...roles]).toEqual(expect.arrayContaining(['gateway', 'system', 'cli', 'auto_top_up', 'operator', 'student']));
  });

  it('has words, zh and en, for every actor role', () => {
    for (const role of roles) {
      const zh = labelOf(messages['zh-CN'], 'role', role);
      const en = labelOf(messages.en, 'role', role);
      expect(zh, role).toMatch(/[\u4e00-\u9fff]/);
      expect(en, role).not.toMatch(/[\u4e00-\u9fff]/);
      expect(en, role).not.toBe(role);
    }
    expect(labelOf(messages['zh-CN'], 'role', 'gateway')).toBe('支付网关');
    expect(labelOf(messages.en, 'role', 'gateway')).toBe('Payment gateway');
  });
});
