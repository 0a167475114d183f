import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskCardNo } from '../../src/domain/masking.js';
import { projectRoot } from '../../src/platform/paths.js';
import { chargeAtPos } from '../../terminal/canteen-pos.js';
import { runNetworkSession } from '../../terminal/network-gateway.js';
import { ApiError } from '../../terminal/client.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';
import { purseFen } from './ecards-support.js';

/**
 * The campus terminal simulators against the whole server listening on a real port: the canteen
 * POS (terminal/canteen-pos.ts, `onecard pos charge`) registers once, signs in as a terminal, and
 * charges the app's payment code and a card over HTTP; the campus network gateway
 * (terminal/network-gateway.ts, `onecard network session`) signs a device on and reports its minutes.
 */

let t: TestApp;
let url: string;
let operator: string;
let campus: { id: string; code: string };
beforeAll(async () => {
  t = await createTestApp();
  campus = await t.factory.newSchool({ stage: 'university' });
  t.clock.set(new Date(Date.now() - 60_000));
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  operator = await t.factory.operatorToken();
}, 60_000);
afterAll(async () => t.close());

async function undergraduate() {
  const queryPassword = '246813';
  const student = await t.factory.newStudent({ schoolId: campus.id, name: '收银测试生', queryPassword });
  const card = await t.factory.newCard(student.id, { product: 'campus_card' });
  await fund(t, card.id, 10_000);
  const token = await t.factory.loginAs('student', student.education_id, student.password);
  const initial = student.id_number.replace(/X$/, '').slice(-6);
  const code = async () => (await t.app.inject({ method: 'POST', url: '/api/v1/campus/payment-codes', headers: { authorization: `Bearer ${token}` }, payload: { queryPassword } })).json().code as string;
  return { student, token, card, initial, queryPassword, code };
}

const bin = join(projectRoot(), 'bin/onecard.js');
/** Runs the built CLI; its exit code, stdout and stderr. */
async function onecard(...args: string[]) {
  if (!existsSync(join(projectRoot(), 'dist'))) throw new Error('run `npm run build:server` first: the CLI runs the built dist/');
  return promisify(execFile)(process.execPath, [bin, ...args], { timeout: 60_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('the canteen POS over HTTP', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'onecard-pos-'));
  const credentialsFile = join(stateDir, 'pos.json');

  it('registers once, then charges a payment code and a card; a purchase over the limit needs the password', async () => {
    const u = await undergraduate();
    const base = { url, credentialsFile, operator: { token: operator }, merchant: '二食堂', school: campus.code };
    const receipt = await chargeAtPos({ ...base, amountFen: 1_250, paymentCode: await u.code() });
    expect(receipt).toMatchObject({ amountFen: 1_250, balanceAfterFen: 8_750, method: 'payment_code', pinChecked: false });
    const stored = JSON.parse(readFileSync(credentialsFile, 'utf8')) as { id: string; code: string };
    await chargeAtPos({ ...base, amountFen: 250, cardNo: u.card.card_no });
    // The second charge used the same POS: no second terminal registered.
    expect(JSON.parse(readFileSync(credentialsFile, 'utf8'))).toEqual(stored);
    expect(await t.ctx.db.selectFrom('terminals').select(['id', 'school_id']).where('operator', '=', '二食堂').execute()).toEqual([{ id: stored.id, school_id: campus.id }]);

    const refused = await chargeAtPos({ ...base, amountFen: 6_000, cardNo: u.card.card_no }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 403, code: 'CONSUMPTION_PIN_REQUIRED' });
    expect(await chargeAtPos({ ...base, amountFen: 6_000, cardNo: u.card.card_no, consumptionPin: u.initial })).toMatchObject({ pinChecked: true, balanceAfterFen: 2_500 });
    expect(await purseFen(t, u.card.id)).toBe(2_500);
  });

  it('onecard pos charge prints the receipt, and the refusal without a stack trace; onecard pos cancel undoes a purchase', async () => {
    const pos = (command: string, ...args: string[]) => onecard('pos', command, '--url', url, '--operator-token', operator, '--state-dir', stateDir, '--merchant', '二食堂', '--school', campus.code, ...args);
    const u = await undergraduate();
    const paid = await pos('charge', '--amount', '8.80', '--code', await u.code());
    expect(paid.code, paid.stderr).toBe(0);
    const purchaseId = /; purchase ([0-9a-f-]{36})$/.exec(paid.stdout.trim())?.[1];
    expect(paid.stdout.trim()).toBe(`¥8.80 charged to 收**** (${maskCardNo(u.card.card_no)}) by payment code; balance ¥91.20; purchase ${purchaseId}`);
    const again = await pos('charge', '--amount', '60', '--card-no', u.card.card_no);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('CONSUMPTION_PIN_REQUIRED');
    expect(again.stderr).not.toMatch(/\n\s+at /);

    const undone = await pos('cancel', '--purchase-id', purchaseId!);
    expect(undone.code, undone.stderr).toBe(0);
    expect(undone.stdout.trim()).toBe(`¥8.80 of purchase ${purchaseId} refunded to the card; balance ¥100.00`);
    expect(await purseFen(t, u.card.id)).toBe(10_000);
    const unknown = await pos('cancel', '--purchase-id', 'NO-SUCH-PURCHASE');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('CAMPUS_PURCHASE_UNKNOWN');
  });
});

describe('the campus network gateway over HTTP', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'onecard-network-'));
  // Mid-month, so no session here crosses into the next month (which buys its own first hour).
  let networkOperator: string;
  beforeAll(async () => {
    t.clock.set('2026-12-10T10:00:00+08:00');
    networkOperator = await t.factory.operatorToken();
  });

  it('signs a device on, reports as the paid time runs out, and signs it off when the balance cannot pay the next hour', async () => {
    const u = await undergraduate();
    const topUp = await t.app.inject({ method: 'POST', url: '/api/v1/campus/network/top-ups', headers: { authorization: `Bearer ${u.token}` }, payload: { amountFen: 100, queryPassword: u.queryPassword } });
    expect(topUp.statusCode, topUp.body).toBe(201);
    const steps = await runNetworkSession({
      url, credentialsFile: join(stateDir, 'gateway.json'), operator: { token: networkOperator }, school: campus.code,
      account: u.student.id_number, password: u.queryPassword, mac: '3c:22:fb:aa:bb:cc', minutes: 400, reportEvery: 45,
    });
    // ¥1.00 pays three hours and a third is not enough: on at 0, 60 and 120, off at 180.
    expect(steps.map((s) => [s.minute, s.answer.chargedFen, s.answer.minutesLeft, s.answer.endReason])).toEqual([
      [0, 30, 60, null], [45, 0, 15, null], [60, 30, 60, null], [105, 0, 15, null], [120, 30, 60, null], [165, 0, 15, null], [180, 0, 0, 'no_balance'],
    ]);
    expect(steps.at(-1)!.answer).toMatchObject({ balanceFen: 10, monthChargedFen: 90, ended: true });
  });

  it('onecard network session prints each answer, and a refusal without a stack trace', async () => {
    const u = await undergraduate();
    const network = (...args: string[]) => onecard('network', 'session', '--url', url, '--operator-token', networkOperator, '--state-dir', stateDir, '--school', campus.code, '--account', u.student.id_number, ...args);
    const broke = await network('--password', u.queryPassword);
    expect(broke.code).toBe(1);
    expect(broke.stderr).toContain('CAMPUS_NETWORK_BALANCE_LOW');
    expect(broke.stderr).not.toMatch(/\n\s+at /);
    await t.app.inject({ method: 'POST', url: '/api/v1/campus/network/top-ups', headers: { authorization: `Bearer ${u.token}` }, payload: { amountFen: 500, queryPassword: u.queryPassword } });
    const used = await network('--password', u.queryPassword, '--minutes', '90', '--report-every', '30');
    expect(used.code, used.stderr).toBe(0);
    expect(used.stdout.trim().split('\n')).toEqual([
      'minute    0: charged ¥0.30, 60 min left; balance ¥4.70, this month ¥0.30',
      'minute   30: charged ¥0.00, 30 min left; balance ¥4.70, this month ¥0.30',
      'minute   60: charged ¥0.30, 60 min left; balance ¥4.40, this month ¥0.60',
      'minute   90: charged ¥0.00, off (signed_off); balance ¥4.40, this month ¥0.60',
    ]);
  });
});
