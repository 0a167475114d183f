import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';
import { api, k12Student, newPhone, openBody, purseFen } from './ecards-support.js';

/**
 * Racing requests. On PostgreSQL (TEST_DATABASE_URL) they really run at once on the pool's
 * connections, so these exercise the student row lock and the one-active-card index; on PGlite
 * they are serialised and the same outcomes must hold.
 */

let t: TestApp;
let call: ReturnType<typeof api>;
beforeAll(async () => {
  t = await createTestApp();
  call = api(t);
});
afterAll(() => t?.close());

const statusesOf = (responses: { statusCode: number }[]) => responses.map((r) => r.statusCode).sort();
const activeTransit = (studentId: string) =>
  t.ctx.db.selectFrom('cards').select('id').where('student_id', '=', studentId).where('status', '=', 'active').where('product', 'in', ['k12_card', 'k12_ecard', 'university_ecard']).execute();

describe('one active student transit card, under concurrency', () => {
  it('two simultaneous openings: exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const s = await k12Student(t);
      const parent = await t.factory.newParent({ children: [s.student.id] });
      const parentToken = await t.factory.loginAs('parent', parent.phone, parent.password);
      // The student on one phone and the parent on another, at the same moment.
      const responses = await Promise.all([call('POST', '/ecards/k12', s.token, openBody(s)), call('POST', '/ecards/k12', parentToken, openBody(s, { phone: newPhone }))]);
      expect(statusesOf(responses), responses.map((r) => r.body).join('\n')).toEqual([201, 409]);
      expect(['ECARD_ALREADY_OPEN', 'CARD_ONE_ACTIVE']).toContain(responses.find((r) => r.statusCode === 409)!.json().error.code);
      expect(await activeTransit(s.student.id)).toHaveLength(1);
      const ecards = await t.ctx.db.selectFrom('cards').select('id').where('student_id', '=', s.student.id).where('product', '=', 'k12_ecard').execute();
      expect(ecards).toHaveLength(1);
    }
  });

  it('two simultaneous upgrades: one new card, the balance moved once', async () => {
    const s = await k12Student(t);
    const opened = await call('POST', '/ecards/k12', s.token, openBody(s));
    const ecardId = opened.json().card.id as string;
    await fund(t, ecardId, 4_000);
    const middle = await t.factory.newSchool({ stage: 'middle' });
    await t.ctx.db.updateTable('students').set({ school_id: middle.id, stage: 'middle' }).where('id', '=', s.student.id).execute();
    const proof = { schoolId: middle.id, name: s.student.name, idNumber: s.student.id_number, educationId: s.student.education_id };
    const responses = await Promise.all([call('POST', `/ecards/k12/${ecardId}/upgrade`, s.token, proof), call('POST', `/ecards/k12/${ecardId}/upgrade`, s.token, proof)]);
    expect(statusesOf(responses), responses.map((r) => r.body).join('\n')).toEqual([200, 409]);
    const active = await activeTransit(s.student.id);
    expect(active).toHaveLength(1);
    expect(await purseFen(t, active[0]!.id)).toBe(4_000);
    expect(await purseFen(t, ecardId)).toBe(0);
  });

  it('two simultaneous phone moves: one new card', async () => {
    const s = await k12Student(t);
    const ecardId = (await call('POST', '/ecards/k12', s.token, openBody(s))).json().card.id as string;
    await fund(t, ecardId, 1_500);
    await call('POST', `/cards/${ecardId}/loss`, s.token);
    const responses = await Promise.all([call('POST', `/ecards/${ecardId}/move`, s.token, { phone: newPhone }), call('POST', `/ecards/${ecardId}/move`, s.token, { phone: newPhone })]);
    expect(statusesOf(responses), responses.map((r) => r.body).join('\n')).toEqual([200, 409]);
    const active = await activeTransit(s.student.id);
    expect(active).toHaveLength(1);
    expect(await purseFen(t, active[0]!.id)).toBe(1_500);
  });
});
