import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/platform/audit.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** The console's audit log filtered by one action code (the filter the 审计日志 page offers). */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('GET /admin/audit-log?action=', () => {
  it('lists only the rows of that action; other filters still apply', async () => {
    const token = await t.factory.operatorToken(); // writes login.succeeded
    const student = await t.factory.newStudent();
    for (const entityId of [student.id, null]) {
      await recordAudit(t.ctx.db, t.clock, { actor: { role: 'student', id: student.id }, action: 'campus.repair.reported', entityType: 'campus_repair', entityId });
    }
    const get = async (query: string) => (await t.app.inject({ url: `/api/v1/admin/audit-log?${query}`, headers: { authorization: `Bearer ${token}` } })).json() as { items: { action: string; entityId: string | null }[]; total: number };
    const repairs = await get('action=campus.repair.reported');
    expect(repairs.total).toBe(2);
    expect(new Set(repairs.items.map((i) => i.action))).toEqual(new Set(['campus.repair.reported']));
    expect((await get(`action=campus.repair.reported&entityId=${student.id}`)).total).toBe(1);
    expect((await get('action=login.succeeded')).items.every((i) => i.action === 'login.succeeded')).toBe(true);
    expect((await get('action=no.such.action')).total).toBe(0);
  });
});
