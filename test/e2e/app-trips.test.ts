import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, expect, it } from 'vitest';
import { computeTac, deriveCardKey } from '../../src/domain/transit-crypto.js';
import type { BatchResponse, TapFare, TapRecord } from '../../src/modules/transit/protocol.js';
import { fund } from '../support/money.js';
import { describeE2E, signInToApp, useE2E } from './support.js';

/**
 * The app's transit screens in Chromium: taps settled through the real batch API (signed as the
 * card signs them) show as 乘车记录 with what each ride cost and why — the student rate, a line it
 * does not cover, the monthly rail tiers crossed ride by ride — and the 本月轨道累计 bar marked at
 * ¥100 / ¥150 / ¥400; a card without rides says so; the public fare calculator answers with and
 * without a login. Needs `npm run build:web`.
 */

interface Terminal { id: string; code: string; token: string }

describeE2E('app transit screens in Chromium', () => {
  const e2e = useE2E();
  let operatorToken: string;

  beforeAll(async () => {
    e2e.t.clock.set('2026-11-23T04:00:00Z'); // Monday noon in Beijing; the rides below are this November's.
    operatorToken = await e2e.t.factory.operatorToken();
  });

  const url = (path: string) => `${e2e.baseUrl}${path}`;

  /** A terminal registered by an operator and signed in, as a real one would be. */
  async function terminal(code: string, kind: 'bus_validator' | 'rail_gate', operator: string, location: string): Promise<Terminal> {
    const reg = await e2e.t.app.inject({ method: 'POST', url: '/api/v1/admin/terminals', headers: { authorization: `Bearer ${operatorToken}` }, payload: { code, kind, operator, location } });
    expect(reg.statusCode, reg.body).toBe(201);
    const login = await e2e.t.app.inject({ method: 'POST', url: '/api/v1/terminal-sessions', payload: { code, secret: (reg.json() as { secret: string }).secret } });
    expect(login.statusCode, login.body).toBe(201);
    const { token, terminalId } = login.json() as { token: string; terminalId: string };
    return { id: terminalId, code, token };
  }

  /** Records as the card writes them: consecutive counters, the balance after each, a TAC over both. */
  function tapper(cardNo: string, startBalanceFen: number) {
    let counter = 0;
    let balance = startBalanceFen;
    const seqs = new Map<string, number>();
    return (term: Terminal, kind: TapRecord['kind'], at: string, fare: TapFare | null): { term: Terminal; record: TapRecord } => {
      counter += 1;
      const amountFen = fare?.fareFen ?? 0;
      balance -= amountFen;
      const seq = (seqs.get(term.id) ?? 0) + 1;
      seqs.set(term.id, seq);
      const tac = computeTac(deriveCardKey(e2e.t.ctx.config.secrets.cardMasterKey, cardNo), { terminalCode: term.code, cardNo, cardCounter: counter, amountFen, balanceAfterFen: balance, at });
      return { term, record: { seq, cardNo, cardCounter: counter, kind, amountFen, balanceAfterFen: balance, at, fare, appliedActionIds: [], tac } };
    };
  }

  async function uploadAll(taps: { term: Terminal; record: TapRecord }[]) {
    const byTerminal = new Map<string, { term: Terminal; records: TapRecord[] }>();
    for (const { term, record } of taps) {
      const entry = byTerminal.get(term.id) ?? { term, records: [] };
      entry.records.push(record);
      byTerminal.set(term.id, entry);
    }
    for (const { term, records } of byTerminal.values()) {
      const res = await e2e.t.app.inject({ method: 'POST', url: `/api/v1/terminals/${term.id}/batches`, headers: { authorization: `Bearer ${term.token}` }, payload: { batchId: randomUUID(), records } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json() as BatchResponse;
      expect(body).toMatchObject({ accepted: records.length, rejected: [], flagged: [] });
    }
  }

  async function student(name: string) {
    const school = await e2e.t.factory.newSchool({ stage: 'middle', name: `${name}中学` });
    const s = await e2e.t.factory.newStudent({ name, schoolId: school.id });
    await e2e.t.ctx.db.updateTable('students').set({ must_change_password: false }).where('id', '=', s.id).execute();
    const card = await e2e.t.factory.newCard(s.id, { validUntil: '2029-08-31' });
    return { student: s, card };
  }

  const rowOf = (page: Page, counter: number) => page.locator(`[data-testid="trip-row"][data-counter="${counter}"]`);

  it('a student sees each trip with its fare explanation, pages through them, and the month’s rail spend on the tier bar', async () => {
    const { student: s, card } = await student('乘车测试生');
    await fund(e2e.t, card.id, 30_000);
    const bus = await terminal('BUS-300-01', 'bus_validator', '北京公交', '300路');
    const gate = await terminal('GATE-XZM-01', 'rail_gate', '北京地铁', '西直门站');
    const tap = tapper(card.card_no, 30_000);
    const busFare = (lineType: 'ordinary' | 'tourist', rule: TapFare['rule'], fareFen: number): TapFare =>
      ({ mode: 'bus', category: 'student', lineType, distanceKm: 8, fullFareFen: 200, fareFen, rule });

    const taps = [
      // Counter 1: an ordinary line, student rate 25 %; counter 2: a tourist line, which the student rate does not cover.
      tap(bus, 'bus', '2026-11-02T00:30:00.000Z', busFare('ordinary', 'BUS_STUDENT', 50)),
      tap(bus, 'bus', '2026-11-02T09:00:00.000Z', busFare('tourist', 'BUS_STUDENT_LINE_EXCLUDED', 100)),
    ];
    // 29 rail rides of 30 km (full fare ¥6), priced as a terminal prices them: the spend before the
    // ride picks the rate, so ride 17 (from ¥96) still pays ¥6, rides 18–27 pay 80 %, rides 28 (from exactly ¥150) and 29 pay 50 %.
    let spent = 0;
    const railFares: number[] = [];
    for (let ride = 1; ride <= 29; ride++) {
      const fareFen = spent >= 15_000 ? 300 : spent >= 10_000 ? 480 : 600;
      railFares.push(fareFen);
      const day = String(3 + Math.floor(ride / 2)).padStart(2, '0');
      const hour = ride % 2 === 0 ? '00' : '10';
      taps.push(tap(gate, 'rail_entry', `2026-11-${day}T${hour}:00:00.000Z`, null));
      taps.push(tap(gate, 'rail_exit', `2026-11-${day}T${hour}:40:00.000Z`, {
        mode: 'rail', category: 'student', distanceKm: 30, fullFareFen: 600, fareFen, rule: 'RAIL_CARD', monthSpentBeforeFen: spent, entryStation: '西直门', exitStation: '国贸',
      }));
      spent += fareFen;
    }
    expect(spent).toBe(15_600);
    await uploadAll(taps);

    const page = await signInToApp(e2e, { as: 'student', login: s.education_id, password: s.password });
    await page.goto(url(`/cards/${card.id}`));
    await page.getByTestId('action-trips').click();
    await page.waitForURL(url(`/cards/${card.id}/trips`));

    // The month: ¥156.00 over 29 rides, the ¥100 and ¥150 marks passed, ¥400 ahead, 50 % now.
    const panel = page.getByTestId('rail-month');
    await panel.waitFor();
    await expect(panel.getByTestId('rail-month-spent').textContent()).resolves.toBe('¥156.00');
    await expect(panel.getByTestId('rail-month-status').textContent()).resolves.toBe('已满 150 元，本次 5 折');
    await expect(panel.getByTestId('rail-month-rate').textContent()).resolves.toBe('当前 5 折');
    await expect(panel.getByTestId('rail-month-next').textContent()).resolves.toBe('再消费 ¥244.00 达到 400 元，之后恢复原价');
    const marks = panel.getByTestId('rail-tier');
    await expect(marks.evaluateAll((els) => els.map((el) => [el.getAttribute('data-from-fen'), el.getAttribute('data-reached')]))).resolves.toEqual([
      ['10000', 'true'], ['15000', 'true'], ['40000', 'false'],
    ]);
    await expect(marks.evaluateAll((els) => els.map((el) => el.textContent))).resolves.toEqual(['¥1008 折', '¥1505 折', '¥400恢复原价']);

    // Newest first: the last exit paid ¥3.00 of ¥6.00, because the month had passed ¥150 before it.
    const last = rowOf(page, 60);
    await last.waitFor();
    await expect(last.getByTestId('trip-kind').textContent()).resolves.toBe('地铁出站');
    await expect(last.getByTestId('trip-route').textContent()).resolves.toContain('西直门 → 国贸 · 30 公里');
    await expect(last.getByTestId('trip-paid').textContent()).resolves.toBe('-¥3.00');
    await expect(last.getByTestId('trip-full').textContent()).resolves.toBe('全程票价 ¥6.00');
    await expect(last.getByTestId('trip-explanation').textContent()).resolves.toBe('轨道 30 公里，全程票价 ¥6.00；本月轨道累计 ¥153.00，已满 150 元，本次 5 折，实付 ¥3.00');
    await expect(rowOf(page, 59).getByTestId('trip-explanation').textContent()).resolves.toBe('进站不扣费，出站时按里程计价');
    await e2e.screenshot(page, 'app-trips');

    // A page holds 20 trips; the rest come with 加载更多.
    await expect.poll(() => page.getByTestId('trip-row').count()).toBe(20);
    await page.getByTestId('trips-more').click();
    await expect.poll(() => page.getByTestId('trip-row').count()).toBe(40);

    // Ride 18 (exit counter 38) is the first at 80 %; ride 17 (counter 36) crossed ¥100 and paid the old rate.
    await expect(rowOf(page, 38).getByTestId('trip-explanation').textContent()).resolves.toBe('轨道 30 公里，全程票价 ¥6.00；本月轨道累计 ¥102.00，已满 100 元，本次 8 折，实付 ¥4.80');
    await expect(rowOf(page, 36).getByTestId('trip-explanation').textContent()).resolves.toBe('轨道 30 公里，全程票价 ¥6.00；本月轨道累计 ¥96.00，未满 100 元，本次原价，实付 ¥6.00');
    expect(await rowOf(page, 36).getByTestId('trip-full').count()).toBe(0);
    // Ride 28 (counter 58) started at exactly ¥150: the 50 % rate already applies.
    await expect(rowOf(page, 58).getByTestId('trip-explanation').textContent()).resolves.toBe('轨道 30 公里，全程票价 ¥6.00；本月轨道累计 ¥150.00，已满 150 元，本次 5 折，实付 ¥3.00');

    await page.getByTestId('trips-more').click();
    await expect.poll(() => page.getByTestId('trip-row').count()).toBe(60);
    // The server gives a cursor only when another page exists: the third page, full as it is, ends
    // the list without a tap on 加载更多 that would find nothing.
    await expect.poll(() => page.getByTestId('trips-more').count()).toBe(0);
    expect(await page.getByTestId('trip-row').count()).toBe(60);
    await expect(rowOf(page, 1).getByTestId('trip-explanation').textContent()).resolves.toBe('公交 8 公里，全程票价 ¥2.00；学生卡 2.5 折，本次 ¥0.50');
    await expect(rowOf(page, 2).getByTestId('trip-explanation').textContent()).resolves.toBe('公交 8 公里，全程票价 ¥2.00；学生卡优惠不适用于旅游线路，按普通卡 5 折，本次 ¥1.00');
    await expect(rowOf(page, 1).getByTestId('trip-paid').textContent()).resolves.toBe('-¥0.50');
    // The balance the card reported after the first ride.
    await expect(rowOf(page, 1).textContent()).resolves.toContain('余额 ¥299.50');

    // From the panel, the calculator opens with the month's spend filled in.
    await page.getByTestId('rail-month-try').click();
    await page.waitForURL((u) => u.pathname === '/fares');
    await expect(page.getByTestId('fare-month-spent').locator('input').inputValue()).resolves.toBe('156.00');
  });

  it('a card without rides says 暂无乘车记录 and the month has not reached ¥100', async () => {
    const { student: s, card } = await student('无乘车测试生');
    const page = await signInToApp(e2e, { as: 'student', login: s.education_id, password: s.password });
    await page.goto(url(`/cards/${card.id}/trips`));
    await page.getByTestId('trips-empty').getByText('暂无乘车记录').waitFor();
    await expect(page.getByTestId('rail-month-spent').textContent()).resolves.toBe('¥0.00');
    await expect(page.getByTestId('rail-month-status').textContent()).resolves.toBe('未满 100 元，本次原价');
    await expect(page.getByTestId('rail-tier').evaluateAll((els) => els.map((el) => el.getAttribute('data-reached')))).resolves.toEqual(['false', 'false', 'false']);
    await e2e.screenshot(page, 'app-trips-empty');

    // Somebody else's card is not shown.
    const other = await student('他人卡测试生');
    await page.goto(url(`/cards/${other.card.id}/trips`));
    await page.getByTestId('trips-not-found').waitFor();
  });

  it('the fare calculator from the home page prices a rail ride past ¥150 at 50 %, and answers without a login too', async () => {
    const { student: s } = await student('票价测试生');
    const page = await signInToApp(e2e, { as: 'student', login: s.education_id, password: s.password });
    await page.getByTestId('home-fares').click();
    await page.waitForURL(url('/fares'));

    await page.getByTestId('fare-mode').getByText('地铁（轨道）').click();
    await page.getByTestId('fare-distance').locator('input').fill('12');
    await page.getByTestId('fare-month-spent').locator('input').fill('152');
    await page.getByTestId('fare-submit').click();
    const result = page.getByTestId('fare-result');
    await result.waitFor();
    await expect(page.getByTestId('fare-explanation').textContent()).resolves.toContain('本月轨道累计 ¥152.00，已满 150 元，本次 5 折');
    await expect(page.getByTestId('fare-amount').textContent()).resolves.toBe('¥2.00');
    await expect(page.getByTestId('fare-full').textContent()).resolves.toBe('¥4.00');
    await expect(page.getByTestId('fare-rule').textContent()).resolves.toBe('轨道刷卡（月度累计优惠）');
    await e2e.screenshot(page, 'app-fare-calculator');

    // In English too.
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.getByTestId('fare-explanation').textContent()).resolves.toContain('Rail spend this month ¥152.00, past ¥150: this ride at 50%');

    // Without a login: a student card on a tourist bus line pays the ordinary card rate, and the page says why.
    const anonymous = await e2e.newPage();
    await anonymous.goto(url('/fares'));
    await anonymous.getByTestId('fare-line-type').getByText('旅游线路').click();
    await anonymous.getByTestId('fare-distance').locator('input').fill('15.1');
    await anonymous.getByTestId('fare-submit').click();
    await anonymous.getByTestId('fare-result').waitFor();
    await expect(anonymous.getByTestId('fare-amount').textContent()).resolves.toBe('¥2.00');
    await expect(anonymous.getByTestId('fare-full').textContent()).resolves.toBe('¥4.00');
    await expect(anonymous.getByTestId('fare-explanation').textContent()).resolves.toBe('公交 15.1 公里，全程票价 ¥4.00；学生卡优惠不适用于旅游线路，按普通卡 5 折，本次 ¥2.00');
    expect(anonymous.url()).toBe(url('/fares'));

    // A distance the rules refuse is stopped before it is sent.
    await anonymous.getByTestId('fare-distance').locator('input').fill('501');
    await anonymous.getByTestId('fare-submit').click();
    await anonymous.getByText('请输入大于 0、不超过 500 的公里数').waitFor();
    // The earlier result does not stay under the error: it answered another question.
    expect(await anonymous.getByTestId('fare-result').count()).toBe(0);
    // Nor is a ride of 0 km priced: the same inline error, nothing asked of the server.
    const quotes: string[] = [];
    anonymous.on('request', (r) => { if (r.url().includes('/fares/quote')) quotes.push(r.url()); });
    await anonymous.getByTestId('fare-distance').locator('input').fill('0');
    await anonymous.getByTestId('fare-submit').click();
    await anonymous.getByText('请输入大于 0、不超过 500 的公里数').waitFor();
    expect(await anonymous.getByTestId('fare-result').count()).toBe(0);
    expect(quotes).toEqual([]);
  });
});
