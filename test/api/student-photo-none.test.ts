import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

/** A student with no photo yet: the photo is answered as none (204), not as an error the app logs (UX review). */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('GET /students/:id/photo without a photo', () => {
  it('answers 204 with no body to those who may see the student, and still 403 to others', async () => {
    const student = await t.factory.newStudent();
    const parent = await t.factory.newParent({ children: [student.id] });
    const stranger = await t.factory.newParent();
    const get = async (phone: string, password: string) =>
      t.app.inject({ url: `/api/v1/students/${student.id}/photo`, headers: { authorization: `Bearer ${await t.factory.loginAs('parent', phone, password)}` } });
    const none = await get(parent.phone, parent.password);
    expect(none.statusCode).toBe(204);
    expect(none.rawPayload.length).toBe(0);
    expect((await get(stranger.phone, stranger.password)).statusCode).toBe(403);
  });
});
