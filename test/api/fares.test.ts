import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-11-23T02:00:00Z');
});
afterAll(async () => t.close());

interface Quote {
  fareFen: number;
  fullFareFen: number;
  ratePercent: number;
  rule: string;
  explanation: { zh: string; en: string };
  fareTableFrom: string;
  monthly: { monthSpentFen: number; tier: number; tierFromSpentFen: number; nextTierFromSpentFen: number | null } | null;
}

const quote = async (query: string) => {
  const res = await t.app.inject(`/api/v1/fares/quote?${query}`);
  return { status: res.statusCode, body: res.json() as Quote & { error?: { code: string; message: string; messageEn: string } } };
};

describe('GET /fares/quote (no login)', () => {
  it('prices a student bus ride at 25 % on an ordinary line', async () => {
    const { status, body } = await quote('mode=bus&distanceKm=12&category=student');
    expect(status).toBe(200);
    expect(body).toMatchObject({ fareFen: 75, fullFareFen: 300, ratePercent: 25, rule: 'BUS_STUDENT', fareTableFrom: '2014-12-28', monthly: null });
    expect(body.explanation.zh).toContain('学生卡');
    expect(body.explanation.en).toContain('student card');
  });

  it('gives a student card the ordinary card rate on an express line, and says why', async () => {
    const { body } = await quote('mode=bus&distanceKm=15.1&category=student&lineType=express');
    expect(body).toMatchObject({ fareFen: 200, fullFareFen: 400, ratePercent: 50, rule: 'BUS_STUDENT_LINE_EXCLUDED' });
    expect(body.explanation.zh).toContain('快速直达专线');
  });

  it('applies the rail monthly tiers from the spend before the ride', async () => {
    const { status, body } = await quote('mode=rail&distanceKm=20&category=ordinary&monthSpentFen=15200');
    expect(status).toBe(200);
    expect(body).toMatchObject({ fareFen: 250, fullFareFen: 500, ratePercent: 50, rule: 'RAIL_CARD' });
    expect(body.explanation.zh).toContain('本月轨道累计 ¥152.00，已满 150 元，本次 5 折');
    expect(body.monthly).toEqual({ monthSpentFen: 15200, tier: 2, tierFromSpentFen: 15000, nextTierFromSpentFen: 40000 });
  });

  it('charges the ride that crosses ¥100 at the old rate', async () => {
    const before = await quote('mode=rail&distanceKm=20&category=student&monthSpentFen=9900');
    expect(before.body).toMatchObject({ fareFen: 500, ratePercent: 100, monthly: { tier: 0, nextTierFromSpentFen: 10000 } });
    const after = await quote('mode=rail&distanceKm=20&category=student&monthSpentFen=10000');
    expect(after.body).toMatchObject({ fareFen: 400, ratePercent: 80, monthly: { tier: 1 } });
  });

  it('gives single-journey (cash) rail tickets no monthly discount', async () => {
    const { body } = await quote('mode=rail&distanceKm=33&category=cash&monthSpentFen=20000');
    expect(body).toMatchObject({ fareFen: 700, fullFareFen: 700, rule: 'RAIL_CASH', monthly: null });
  });

  it('uses the fare table of the date asked for, and today in Beijing by default', async () => {
    const old = await quote('mode=bus&distanceKm=5&category=cash&date=2014-12-27');
    expect(old.status).toBe(422);
    expect(old.body.error).toMatchObject({ code: 'FARE_TABLE_MISSING' });
    // 2014-12-27T16:30Z is already the 28th in Beijing, the first day of the 2014 table.
    t.clock.set('2014-12-27T16:30:00Z');
    expect((await quote('mode=bus&distanceKm=5&category=cash')).status).toBe(200);
    t.clock.set('2014-12-27T15:30:00Z');
    expect((await quote('mode=bus&distanceKm=5&category=cash')).body.error).toMatchObject({ code: 'FARE_TABLE_MISSING' });
    t.clock.set('2026-11-23T02:00:00Z');
  });

  it.each([
    ['mode=plane&distanceKm=5&category=cash', 'VALIDATION_FAILED'],
    ['mode=bus&category=cash', 'VALIDATION_FAILED'],
    ['mode=bus&distanceKm=&category=cash', 'VALIDATION_FAILED'],
    ['mode=bus&distanceKm=abc&category=cash', 'VALIDATION_FAILED'],
    ['mode=bus&distanceKm=5&category=vip', 'VALIDATION_FAILED'],
    ['mode=bus&distanceKm=5&category=student&lineType=night', 'VALIDATION_FAILED'],
    ['mode=rail&distanceKm=5&category=ordinary&monthSpentFen=-1', 'VALIDATION_FAILED'],
    ['mode=rail&distanceKm=5&category=ordinary&monthSpentFen=1.5', 'VALIDATION_FAILED'],
    ['mode=bus&distanceKm=-1&category=cash', 'FARE_DISTANCE_INVALID'],
    ['mode=bus&distanceKm=0&category=student', 'FARE_DISTANCE_ZERO'],
    ['mode=rail&distanceKm=0.000&category=cash', 'FARE_DISTANCE_ZERO'],
    ['mode=rail&distanceKm=501&category=cash', 'FARE_DISTANCE_INVALID'],
    ['mode=bus&distanceKm=Infinity&category=cash', 'VALIDATION_FAILED'],
    ['mode=bus&distanceKm=5&category=cash&date=2026-02-30', 'DATE_FORMAT'],
  ])('answers bad input %s with 400 %s', async (query, code) => {
    const { status, body } = await quote(query);
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ code });
    expect(body.error?.message).toBeTruthy();
    expect(body.error?.messageEn).toBeTruthy();
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, unknown> };
    expect(doc.paths).toHaveProperty('/api/v1/fares/quote');
  });
});
