import { randomUUID } from 'node:crypto';
import { computeTac, deriveCardKey } from '../../src/domain/transit-crypto.js';
import { accountCodes } from '../../src/modules/ledger/ledger.js';
import type { BatchResponse, TapRecord } from '../../src/modules/transit/protocol.js';
import type { TestApp } from '../support/app.js';
import { fund } from '../support/money.js';

/** Shared set-up of the transit server tests: terminals through the real API, cards with funded purses, signed taps. */

let terminalNo = 0;

export interface TestTerminal {
  id: string;
  code: string;
  token: string;
}

export async function newTerminal(t: TestApp, operatorToken: string, operator = 'bjbus'): Promise<TestTerminal> {
  const code = `T-${process.pid}-${++terminalNo}`;
  const reg = await t.app.inject({ method: 'POST', url: '/api/v1/admin/terminals', headers: { authorization: `Bearer ${operatorToken}` }, payload: { code, kind: 'bus_validator', operator } });
  if (reg.statusCode !== 201) throw new Error(`register terminal: ${reg.statusCode} ${reg.body}`);
  const { secret } = reg.json() as { secret: string };
  const login = await t.app.inject({ method: 'POST', url: '/api/v1/terminal-sessions', payload: { code, secret } });
  if (login.statusCode !== 201) throw new Error(`terminal login: ${login.statusCode} ${login.body}`);
  const { token, terminalId } = login.json() as { token: string; terminalId: string };
  return { id: terminalId, code, token };
}

/** A card of a new student, its purse credited with `fundFen` (as a paid top-up would). */
export async function newFundedCard(t: TestApp, fundFen: number) {
  const student = await t.factory.newStudent();
  const card = await t.factory.newCard(student.id);
  if (fundFen > 0) await fund(t, card.id, fundFen);
  return { card, student };
}

export interface TapInput {
  seq: number;
  cardNo: string;
  cardCounter: number;
  amountFen: number;
  balanceAfterFen: number;
  at?: string;
  kind?: TapRecord['kind'];
  appliedActionIds?: string[];
}

/** A tap signed as the card would sign it (TAC with the card's derived key). */
export function signedTap(masterKey: string, terminalCode: string, input: TapInput): TapRecord {
  const at = input.at ?? '2026-11-23T01:00:00.000Z';
  const record = {
    seq: input.seq, cardNo: input.cardNo, cardCounter: input.cardCounter, kind: input.kind ?? 'bus', amountFen: input.amountFen, balanceAfterFen: input.balanceAfterFen, at,
    fare: input.amountFen > 0 ? { mode: 'bus' as const, category: 'student' as const, lineType: 'ordinary' as const, distanceKm: 8, fullFareFen: input.amountFen * 4, fareFen: input.amountFen, rule: 'BUS_STUDENT' as const } : null,
    appliedActionIds: input.appliedActionIds ?? [],
  };
  const tac = computeTac(deriveCardKey(masterKey, input.cardNo), { terminalCode, cardNo: record.cardNo, cardCounter: record.cardCounter, amountFen: record.amountFen, balanceAfterFen: record.balanceAfterFen, at });
  return { ...record, tac };
}

export async function upload(t: TestApp, terminal: TestTerminal, records: TapRecord[], asTerminal: TestTerminal = terminal) {
  return t.app.inject({
    method: 'POST', url: `/api/v1/terminals/${terminal.id}/batches`, headers: { authorization: `Bearer ${asTerminal.token}` },
    payload: { batchId: randomUUID(), records },
  });
}

export async function uploadOk(t: TestApp, terminal: TestTerminal, records: TapRecord[]): Promise<BatchResponse> {
  const res = await upload(t, terminal, records);
  if (res.statusCode !== 200) throw new Error(`upload: ${res.statusCode} ${res.body}`);
  return res.json() as BatchResponse;
}

export async function purseBalance(t: TestApp, cardId: string): Promise<number> {
  const row = await t.ctx.db.selectFrom('ledger_accounts').select(['credits_posted_fen', 'debits_posted_fen']).where('code', '=', accountCodes.purse(cardId)).executeTakeFirstOrThrow();
  return row.credits_posted_fen - row.debits_posted_fen;
}

export async function accountBalance(t: TestApp, code: string): Promise<number> {
  const row = await t.ctx.db.selectFrom('ledger_accounts').select(['credits_posted_fen', 'debits_posted_fen']).where('code', '=', code).executeTakeFirst();
  return row ? row.credits_posted_fen - row.debits_posted_fen : 0;
}
