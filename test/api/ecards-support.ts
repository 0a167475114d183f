import { expect } from 'vitest';
import type { PhoneInput } from '../../src/modules/ecards/ecards.schemas.js';
import { accountCodes, balanceOf, findAccountByCode } from '../../src/modules/ledger/ledger.js';
import { newId } from '../../src/platform/ids.js';
import type { TestApp } from '../support/app.js';

/** Shared by the e-card API suites: phones, requests, purse balances (money goes on with test/support/money.ts). */

export const goodPhone: PhoneInput = { brand: 'huawei', model: 'HUAWEI Mate 40 Pro', os: 'harmonyos', osVersion: '3.0.0', nfcEnabled: true, walletVersion: '9.0.13.304', appVersion: '6.0.0.1' };
export const newPhone: PhoneInput = { brand: 'apple', model: 'iPhone 14 Pro', os: 'ios', osVersion: '17.2', nfcEnabled: true, appVersion: '6.2.0.0' };
export const oldWalletPhone: PhoneInput = { ...goodPhone, walletVersion: '9.0.12.1' };

export function api(t: TestApp) {
  return (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, token?: string, payload?: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url: `/api/v1${url}`, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
}

/** A K-12 student (14 or older unless a birth date says otherwise) at a school of the stage, signed in. */
export async function k12Student(t: TestApp, options: { stage?: 'primary' | 'middle' | 'high'; birthDate?: string; name?: string; withCard?: boolean } = {}) {
  const school = await t.factory.newSchool({ stage: options.stage ?? 'primary', name: `电子卡${options.stage ?? 'primary'}学校${newId().slice(-6)}` });
  const student = await t.factory.newStudent({ schoolId: school.id, birthDate: options.birthDate ?? '2012-05-20', name: options.name ?? '李小雨' });
  const card = options.withCard === false ? null : await t.factory.newCard(student.id);
  const token = await t.factory.loginAs('student', student.education_id, student.password);
  return { school, student, card, token };
}

export function openBody(s: { school: { id: string }; student: { id: string; name: string; id_number: string; education_id: string } }, overrides: Record<string, unknown> = {}) {
  return {
    studentId: s.student.id, schoolId: s.school.id, name: s.student.name, idNumber: s.student.id_number, educationId: s.student.education_id,
    phone: goodPhone, agreementVersion: '2026-09', agreementAccepted: true, ...overrides,
  };
}

export async function purseFen(t: TestApp, cardId: string): Promise<number> {
  return (await balanceOf(t.ctx.db, (await findAccountByCode(t.ctx.db, accountCodes.purse(cardId))).id)).postedFen;
}

export async function cardRow(t: TestApp, cardId: string) {
  return t.ctx.db.selectFrom('cards').selectAll().where('id', '=', cardId).executeTakeFirstOrThrow();
}

export function expectError(res: { statusCode: number; body: string; json(): unknown }, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect((res.json() as { error: { code: string } }).error.code).toBe(code);
}
