import { expect } from 'vitest';
import type { E2E } from './support.js';

/** An API call as `token` through the server under test: the side of a flow the screen under test does not show. */
export async function apiAs(e2e: E2E, token: string, method: 'GET' | 'POST', path: string, payload?: object): Promise<Record<string, unknown>> {
  const res = await e2e.t.app.inject({ method, url: `/api/v1${path}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return (String(res.headers['content-type']).startsWith('application/json') ? res.json() : {}) as Record<string, unknown>;
}

/**
 * A high-school student's sticker in use, applied for as damaged with home delivery to a phone
 * the sandbox courier never reaches (it gives up 24 h after dispatch and has the parcel back at the
 * card centre after 48 h), confirmed, produced and dispatched at `day` 02:00Z. The caller moves the
 * clock on and runs the jobs to the state it needs.
 */
export async function dispatchUndeliverableSticker(e2e: E2E, name: string, day: string) {
  const { t } = e2e;
  t.clock.set(`${day}T02:00:00Z`);
  const school = await t.factory.newSchool({ stage: 'high', name: `${name}高中` });
  const student = await t.factory.newStudent({ name, schoolId: school.id });
  await t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', student.id).execute();
  const sticker = await t.factory.newCard(student.id, { product: 'k12_sticker' });
  const studentToken = await t.factory.loginAs('student', student.education_id, student.password);
  const operator = await t.factory.operatorToken();
  const application = await apiAs(e2e, studentToken, 'POST', '/fulfilment/applications', {
    kind: 'sticker', reason: 'damaged', name, idType: 'resident_id', idNumber: student.id_number, educationId: student.education_id, cardId: sticker.id,
    delivery: { method: 'home', recipient: '无人接听', phone: '13900000000', address: '北京市西城区金融街1号' },
  });
  await t.factory.givePhoto(student.id); // the school has taken the photo the family checks
  const confirmation = await apiAs(e2e, studentToken, 'GET', `/fulfilment/confirmation?studentId=${student.id}`);
  await apiAs(e2e, studentToken, 'POST', `/fulfilment/confirmations/${confirmation.id as string}/confirm`);
  const batch = await apiAs(e2e, operator, 'POST', '/admin/fulfilment/batches', { kind: 'sticker', schoolId: school.id });
  for (const step of ['export', 'produced', 'dispatch']) await apiAs(e2e, operator, 'POST', `/admin/fulfilment/batches/${batch.id as string}/${step}`);
  return { school, student, sticker, studentToken, operator, applicationId: application.id as string, batchId: batch.id as string };
}

/** Moves the clock to `hours` after 03:00Z on `day` and runs what fell due (the courier's tracking among it). */
export async function hoursLater(e2e: E2E, day: string, hours: number): Promise<void> {
  e2e.t.clock.set(new Date(Date.parse(`${day}T03:00:00Z`) + hours * 3_600_000).toISOString());
  await e2e.t.ctx.jobs.runDue(100);
}
