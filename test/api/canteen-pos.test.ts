import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskCardNo } from '../../src/domain/masking.js';
import { projectRoot } from '../../src/platform/paths.js';
import { chargeAtPos } from '../../terminal/canteen-pos.js';
import { ApiError } from '../../terminal/client.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';
import { purseFen } from './ecards-support.js';

/**
 * The canteen POS simulator (terminal/canteen-pos.ts) and `onecard pos charge` against the whole
 * server listening on a real port: the POS registers once, signs in as a terminal, and charges
 * the app's payment code and a card over HTTP.
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
  const student = await t.factory.newStudent({ schoolId: campus.id, name: '收银测试生' });
  const card = await t.factory.newCard(student.id, { product: 'campus_card' });
  await fund(t, card.id, 10_000);
  const token = await t.factory.loginAs('student', student.education_id, student.password);
  const initial = student.id_number.replace(/X$/, '').slice(-6);
  const code = async () => (await t.app.inject({ method: 'POST', url: '/api/v1/campus/payment-codes', headers: { authorization: `Bearer ${token}` }, payload: { queryPassword: initial } })).json().code as string;
  return { card, initial, code };
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

  it('onecard pos charge prints the receipt, and the refusal without a stack trace', async () => {
    const bin = join(projectRoot(), 'bin/onecard.js');
    if (!existsSync(join(projectRoot(), 'dist'))) throw new Error('run `npm run build:server` first: the CLI runs the built dist/');
    const run = promisify(execFile);
    const onecard = (...args: string[]) =>
      run(process.execPath, [bin, 'pos', 'charge', '--url', url, '--operator-token', operator, '--state-dir', stateDir, '--merchant', '二食堂', '--school', campus.code, ...args], { timeout: 60_000 }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const u = await undergraduate();
    const paid = await onecard('--amount', '8.80', '--code', await u.code());
    expect(paid.code, paid.stderr).toBe(0);
    expect(paid.stdout.trim()).toBe(`¥8.80 charged to 收**** (${maskCardNo(u.card.card_no)}) by payment code; balance ¥91.20`);
    const again = await onecard('--amount', '60', '--card-no', u.card.card_no);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('CONSUMPTION_PIN_REQUIRED');
    expect(again.stderr).not.toMatch(/\n\s+at /);
  });
});
