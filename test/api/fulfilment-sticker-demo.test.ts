import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoParent, seedDemo } from '../../src/demo/seed.js';
import type { ApplicationDto, VerifyResult } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { createTestApp, type TestApp } from '../support/app.js';

/** The demo (npm start) lets seed 000's 卡贴服务 be walked: 张小红 (8th grade) holds the sticker issued with her card. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-11-23T02:00:00Z');
  expect(await seedDemo(t.ctx.db, t.clock)).toBe(true);
});
afterAll(async () => t.close());

describe('demo card sticker', () => {
  it('张小红’s parent finds her sticker in 补换卡贴, applies for a damaged one and follows its progress; the primary-school child has none', async () => {
    const token = await t.factory.loginAs('parent', demoParent.phone, '123456');
    const request = (method: 'GET' | 'POST', url: string, payload?: unknown) => t.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    const identityOf = async (educationId: string) => {
      const s = await t.ctx.db.selectFrom('students').select(['name', 'id_number', 'education_id']).where('education_id', '=', educationId).executeTakeFirstOrThrow();
      return { kind: 'sticker', name: s.name, idType: 'resident_id', idNumber: s.id_number, educationId: s.education_id };
    };

    const xiaohong = await identityOf('20210201');
    const verified = await request('POST', '/fulfilment/verify', xiaohong);
    expect(verified.statusCode, verified.body).toBe(200);
    const [sticker] = (verified.json() as VerifyResult).cards;
    expect(sticker).toMatchObject({ product: 'k12_sticker', cardStatus: 'active', replaceReasons: ['damaged'], replaceable: true });

    const applied = await request('POST', '/fulfilment/applications', { ...xiaohong, cardId: sticker!.cardId, reason: 'damaged', delivery: { method: 'school' } });
    expect(applied.statusCode, applied.body).toBe(201);
    const app = applied.json() as ApplicationDto;
    const progress = await request('GET', `/fulfilment/applications/${app.id}`);
    expect(progress.json()).toMatchObject({ kind: 'sticker', reason: 'damaged', status: 'ready_for_production', feeFen: 0, steps: [{ step: 'applied' }] });

    // 张小明 is in primary school: no sticker (卡贴补换仅限初中、高中学生).
    const xiaoming = await request('POST', '/fulfilment/verify', await identityOf('20230101'));
    expect((xiaoming.json() as VerifyResult).cards.filter((c) => c.product === 'k12_sticker')).toEqual([]);
  });
});
