import { randomUUID } from 'node:crypto';
import { accountCodes, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { systemActor } from '../../src/platform/audit.js';
import { systemClock } from '../../src/platform/clock.js';
import type { Db } from '../../src/platform/db/database.js';
import type { TestApp } from './app.js';

/**
 * Puts money on a card's purse as a settled top-up would: a balanced ledger transaction from a
 * clearing account. The account is `clearing:test`, no real gateway's, so test money never shows
 * in an Alipay or WeChat Pay reconciliation. The purse must exist (the cards module opens it).
 */
export async function fund(t: TestApp, cardId: string, amountFen: number): Promise<void> {
  const clearing = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.clearing('test'), type: 'gateway_clearing', actor: systemActor });
  const purse = await findAccountByCode(t.ctx.db, accountCodes.purse(cardId));
  await postTransaction(t.ctx.db, t.clock, {
    idempotencyKey: `test-fund:${randomUUID()}`, type: 'top_up', actor: systemActor,
    postings: [{ accountId: clearing.id, debitFen: amountFen }, { accountId: purse.id, creditFen: amountFen }],
  });
}

/**
 * For tests on a bare database (no app, e.g. halfway through migrations): opens a card's purse
 * with `amountFen` topped up from `clearing:test`, and the fare revenue account of `bjbus`.
 */
export async function openFundedPurse(db: Db, cardId: string, amountFen: number): Promise<{ purseId: string; revenueId: string }> {
  const purse = await ensureAccount(db, systemClock, { code: accountCodes.purse(cardId), type: 'purse', ownerId: cardId, actor: systemActor });
  const clearing = await ensureAccount(db, systemClock, { code: accountCodes.clearing('test'), type: 'gateway_clearing', actor: systemActor });
  const revenue = await ensureAccount(db, systemClock, { code: accountCodes.fareRevenue('bjbus'), type: 'fare_revenue', actor: systemActor });
  await postTransaction(db, systemClock, {
    idempotencyKey: `test-fund:${randomUUID()}`, type: 'top_up', actor: systemActor,
    postings: [{ accountId: clearing.id, debitFen: amountFen }, { accountId: purse.id, creditFen: amountFen }],
  });
  return { purseId: purse.id, revenueId: revenue.id };
}
