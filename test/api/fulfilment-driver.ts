import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { accountCodes, findAccountByCode, postTransaction, ensureAccount } from '../../src/modules/ledger/ledger.js';
import type { ApplicationDto, VerifyResult } from '../../src/modules/fulfilment/fulfilment.schemas.js';
import { PaymentsDriver } from './payments-driver.js';

/** Monday 2026-11-23, 10:00 in Beijing: a working day inside the fee payment window. */
export const fulfilmentSuiteStart = '2026-11-23T02:00:00Z';

export interface FulfilmentSuiteOptions {
  /** Where the clock stands at the start of each test (default: fulfilmentSuiteStart). */
  at?: string;
  /** Sign a fresh operator in before each test, read as `f.operator` (default true). */
  operator?: boolean;
}

/**
 * The set-up every fulfilment suite shares: the driver started in the suite's first beforeAll and
 * closed after it; before each test the clock set back, an operator signed in, and the ready
 * applications earlier tests left set aside (cancelled), so each test batches only its own. The
 * driver it returns is the one the hooks start, so suites keep it in a const:
 *
 *   const f = useFulfilmentDriver();
 *   it('…', async () => { await f.request('POST', '/admin/fulfilment/batches', f.operator, { kind: 'replacement' }); });
 */
export function useFulfilmentDriver(options: FulfilmentSuiteOptions = {}): FulfilmentDriver {
  const driver = new FulfilmentDriver();
  beforeAll(async () => driver.open());
  afterAll(async () => driver.close());
  beforeEach(async () => driver.beginTest(options));
  return driver;
}

/** Drives fulfilment through the API the way the app and the console do (payments through the real sandbox gateway). */
export class FulfilmentDriver {
  private payments: PaymentsDriver | undefined;
  private testOperator: string | undefined;

  /** The driver's server, once opened (useFulfilmentDriver opens it in beforeAll). */
  get d(): PaymentsDriver {
    if (!this.payments) throw new Error('the fulfilment driver has not started: use it inside tests and hooks');
    return this.payments;
  }

  async open(): Promise<void> {
    this.payments = await PaymentsDriver.start();
  }

  get t() {
    return this.d.t;
  }

  /** Before each test (useFulfilmentDriver): the clock back, a fresh operator, earlier tests' ready applications set aside. */
  async beginTest(options: FulfilmentSuiteOptions): Promise<void> {
    this.t.clock.set(options.at ?? fulfilmentSuiteStart);
    this.testOperator = options.operator === false ? undefined : await this.operatorToken();
    await this.t.ctx.db.updateTable('card_applications').set({ status: 'cancelled' }).where('status', '=', 'ready_for_production').execute();
  }

  /** The operator signed in for the current test. */
  get operator(): string {
    if (!this.testOperator) throw new Error('no operator signed in for this test: useFulfilmentDriver({ operator: false })');
    return this.testOperator;
  }

  async close() {
    await this.payments?.close();
  }

  request(method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, token?: string, payload?: unknown, headers: Record<string, string> = {}) {
    return this.d.request(method, url, token, payload, headers);
  }

  /** A student of a school of the given stage, with a bound parent, a card manager, and an active card of the product. */
  async family(options: { stage?: 'primary' | 'middle' | 'high'; product?: 'k12_card' | 'k12_sticker'; name?: string } = {}) {
    const school = await this.t.factory.newSchool({ stage: options.stage ?? 'middle', name: '北京市海淀区实验中学' });
    const student = await this.t.factory.newStudent({ schoolId: school.id, name: options.name ?? '张小明' });
    const parent = await this.t.factory.newParent({ children: [student.id] });
    const manager = await this.t.factory.newStaff('school_admin', { schoolId: school.id });
    const card = await this.t.factory.newCard(student.id, { product: options.product ?? 'k12_card' });
    return {
      school, student, parent, card, manager,
      parentToken: await this.t.factory.loginAs('parent', parent.phone, parent.password),
      managerToken: await this.t.factory.loginAs('staff', manager.username, manager.password),
    };
  }

  identity(student: { name: string; id_number: string; education_id: string }, kind: 'replacement' | 'sticker' = 'replacement') {
    return { kind, name: student.name, idType: 'resident_id', idNumber: student.id_number, educationId: student.education_id };
  }

  async reportLoss(token: string, cardId: string) {
    const res = await this.request('POST', `/cards/${cardId}/loss`, token);
    expect(res.statusCode, res.body).toBe(200);
  }

  async verify(token: string, student: { name: string; id_number: string; education_id: string }, kind: 'replacement' | 'sticker' = 'replacement'): Promise<VerifyResult> {
    const res = await this.request('POST', '/fulfilment/verify', token, this.identity(student, kind));
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as VerifyResult;
  }

  applyRequest(token: string, student: { name: string; id_number: string; education_id: string }, cardId: string, options: { kind?: 'replacement' | 'sticker'; delivery?: Record<string, string> } = {}) {
    return this.request('POST', '/fulfilment/applications', token, { ...this.identity(student, options.kind), cardId, delivery: options.delivery ?? { method: 'school' } });
  }

  async apply(token: string, student: { name: string; id_number: string; education_id: string }, cardId: string, options: { kind?: 'replacement' | 'sticker'; delivery?: Record<string, string> } = {}): Promise<ApplicationDto> {
    const res = await this.applyRequest(token, student, cardId, options);
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as ApplicationDto;
  }

  async application(token: string, id: string): Promise<ApplicationDto> {
    const res = await this.request('GET', `/fulfilment/applications/${id}`, token);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as ApplicationDto;
  }

  /** 补卡缴费 then pay at the sandbox cashier and let the gateway's notification arrive. */
  async pay(token: string, applicationId: string): Promise<ApplicationDto> {
    const res = await this.request('POST', `/fulfilment/applications/${applicationId}/fee-order`, token);
    expect(res.statusCode, res.body).toBe(201);
    const app = res.json() as ApplicationDto;
    expect(app.feeOrder).not.toBeNull();
    await this.d.payAtCashier(token, app.feeOrder!.id, 'alipay');
    await this.d.runJobs();
    return this.application(token, applicationId);
  }

  /** 确认无误, once the school has taken the student's photo (as it does before families confirm: FULFILMENT_PHOTO_MISSING otherwise). */
  async confirmInfo(token: string, studentId: string) {
    await this.t.factory.givePhoto(studentId);
    const got = await this.request('GET', `/fulfilment/confirmation?studentId=${studentId}`, token);
    expect(got.statusCode, got.body).toBe(200);
    const res = await this.request('POST', `/fulfilment/confirmations/${(got.json() as { id: string }).id}/confirm`, token);
    expect(res.statusCode, res.body).toBe(200);
  }

  /** Puts money on a card's purse the way a top-up would (a balanced ledger transaction from the clearing account). */
  async fund(cardId: string, amountFen: number) {
    const clearing = await ensureAccount(this.t.ctx.db, this.t.clock, { code: accountCodes.clearing('alipay'), type: 'gateway_clearing', actor: { role: 'system', id: null } });
    const purse = await findAccountByCode(this.t.ctx.db, accountCodes.purse(cardId));
    await postTransaction(this.t.ctx.db, this.t.clock, {
      idempotencyKey: `test-fund-${cardId}-${amountFen}-${Math.random()}`, type: 'top_up', actor: { role: 'system', id: null },
      postings: [{ accountId: clearing.id, debitFen: amountFen }, { accountId: purse.id, creditFen: amountFen }],
    });
  }

  async purse(cardId: string) {
    return this.d.balanceFen(accountCodes.purse(cardId));
  }

  runJobs() {
    return this.d.runJobs();
  }

  async operatorToken() {
    return this.t.factory.operatorToken();
  }
}
