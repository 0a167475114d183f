import { createHash } from 'node:crypto';
import { assertFen } from '../../domain/money.js';
import type { AuditActor } from '../../platform/audit.js';
import { fail } from '../../platform/errors.js';
import './ledger.errors.js';
import type { LedgerAccountType, LedgerTransactionType } from './ledger.tables.js';

/** Pure ledger rules: sign conventions, validation, balance arithmetic. No I/O. */

export type { LedgerAccountType, LedgerHoldStatus, LedgerTransactionType } from './ledger.tables.js';

export const accountTypes: readonly LedgerAccountType[] = ['purse', 'gateway_clearing', 'fee_income', 'fare_revenue', 'merchant', 'refunds_payable', 'suspense'];
export const transactionTypes: readonly LedgerTransactionType[] = ['top_up', 'fare', 'purchase', 'fee', 'refund', 'transfer', 'adjustment', 'reversal'];

/**
 * The side that increases an account's balance. Clearing accounts are assets (money a gateway
 * holds for us until settlement), so debits raise them; every other account is something the
 * card centre owes (purses, merchants, operators, refunds) or has earned (fees): credits raise them.
 */
export function normalSide(type: LedgerAccountType): 'debit' | 'credit' {
  return type === 'gateway_clearing' ? 'debit' : 'credit';
}

/** Conventional account codes, so every module names the same account the same way. */
export const accountCodes = {
  purse: (cardId: string) => `purse:${cardId}`,
  /** A student's campus network account (a purse of the student, not of a card). */
  network: (studentId: string) => `network:${studentId}`,
  clearing: (gateway: string) => `clearing:${gateway}`,
  fees: () => 'income:fees',
  fareRevenue: (operator: string) => `revenue:fares:${operator}`,
  merchant: (merchantId: string) => `merchant:${merchantId}`,
  /**
   * One POS window's till (收银台) of a merchant: each window's takings on an account of its own,
   * so that a canteen's windows at lunch do not queue on one account's row; the merchant's
   * takings are the sum of its tills (and of `merchant:<id>`, where purchases went before tills).
   */
  till: (merchantId: string, terminalId: string) => `merchant:${merchantId}:${terminalId}`,
  refundsPayable: () => 'refunds:payable',
  suspense: () => 'suspense',
};

/** One side of a transaction as a caller writes it: exactly one of debitFen / creditFen. */
export interface PostingInput {
  accountId: string;
  debitFen?: number;
  creditFen?: number;
}

/** A stored posting: the unused side is 0. */
export interface Posting {
  accountId: string;
  debitFen: number;
  creditFen: number;
}

/** The four balance columns of an account, or a change to them. */
export interface BalanceColumns {
  debitsPostedFen: number;
  creditsPostedFen: number;
  debitsPendingFen: number;
  creditsPendingFen: number;
}

export interface LedgerAccountRow extends BalanceColumns {
  id: string;
  code: string;
  type: LedgerAccountType;
  ownerId: string | null;
  floorFen: number;
  debitsMustNotExceedCredits: boolean;
}

/**
 * Balances in the account's own direction (see normalSide): `postedFen` is settled money,
 * `pendingFen` the net of open holds (negative when holds reserve money on the account),
 * `availableFen` what is left after outgoing holds (incoming holds count only once posted).
 */
export interface Balance {
  accountId: string;
  code: string;
  type: LedgerAccountType;
  postedFen: number;
  pendingFen: number;
  availableFen: number;
  floorFen: number;
}

export function balanceOfRow(row: LedgerAccountRow): Balance {
  const credit = normalSide(row.type) === 'credit';
  const postedFen = inNormalDirection(row.type, row.creditsPostedFen, row.debitsPostedFen);
  const pendingFen = inNormalDirection(row.type, row.creditsPendingFen, row.debitsPendingFen);
  const outgoingPendingFen = credit ? row.debitsPendingFen : row.creditsPendingFen;
  return { accountId: row.id, code: row.code, type: row.type, postedFen, pendingFen, availableFen: postedFen - outgoingPendingFen, floorFen: row.floorFen };
}

/** credits − debits for a credit-normal account, debits − credits for a debit-normal one. */
export function inNormalDirection(type: LedgerAccountType, creditsFen: number, debitsFen: number): number {
  return normalSide(type) === 'credit' ? creditsFen - debitsFen : debitsFen - creditsFen;
}

export const zeroColumns = (): BalanceColumns => ({ debitsPostedFen: 0, creditsPostedFen: 0, debitsPendingFen: 0, creditsPendingFen: 0 });

/** Sums per account, so the balance update touches each account row once. */
export function postedDeltas(postings: readonly Posting[]): Map<string, BalanceColumns> {
  const deltas = new Map<string, BalanceColumns>();
  for (const p of postings) {
    const delta = deltas.get(p.accountId) ?? zeroColumns();
    delta.debitsPostedFen += p.debitFen;
    delta.creditsPostedFen += p.creditFen;
    deltas.set(p.accountId, delta);
  }
  return deltas;
}

export function addColumns(a: BalanceColumns, b: BalanceColumns): BalanceColumns {
  return {
    debitsPostedFen: a.debitsPostedFen + b.debitsPostedFen,
    creditsPostedFen: a.creditsPostedFen + b.creditsPostedFen,
    debitsPendingFen: a.debitsPendingFen + b.debitsPendingFen,
    creditsPendingFen: a.creditsPendingFen + b.creditsPendingFen,
  };
}

/**
 * Refuses (INSUFFICIENT_FUNDS) a change that would take a guarded account below its floor.
 * The same rule is a CHECK on the row; checking here first gives the caller the amount it may spend.
 */
export function assertFloorsHold(accounts: readonly LedgerAccountRow[], deltas: ReadonlyMap<string, BalanceColumns>): void {
  for (const account of accounts) {
    const delta = deltas.get(account.id);
    if (!delta || !account.debitsMustNotExceedCredits) continue;
    const after = addColumns(account, delta);
    if (after.creditsPostedFen - after.debitsPostedFen - after.debitsPendingFen >= account.floorFen) continue;
    const { availableFen } = balanceOfRow(account);
    throw fail('INSUFFICIENT_FUNDS', {
      accountId: account.id,
      availableFen,
      floorFen: account.floorFen,
      spendableFen: Math.max(0, availableFen - account.floorFen),
      requestedFen: delta.debitsPostedFen + delta.debitsPendingFen - delta.creditsPostedFen,
    });
  }
}

export function assertPositiveFen(amountFen: unknown): asserts amountFen is number {
  assertFen(amountFen);
  if (amountFen === 0) throw fail('LEDGER_AMOUNT_INVALID', { amountFen });
}

/** Checks the shape and the balance of a caller's postings and returns them in stored form. */
export function normalisePostings(postings: readonly PostingInput[]): Posting[] {
  return normaliseEntries(postings, []).postings;
}

/**
 * The same for a transaction whose entries are partly kept by the caller in its own rows (a
 * settled transit tap is its purse's debit, migration 0017): both lists are checked the same
 * way, and together they must have two entries or more and balance.
 */
export function normaliseEntries(postings: readonly PostingInput[], entries: readonly PostingInput[]): { postings: Posting[]; entries: Posting[] } {
  if (postings.length + entries.length < 2) throw fail('LEDGER_POSTING_INVALID', { reason: 'a transaction needs at least two postings' });
  let debitsFen = 0;
  let creditsFen = 0;
  const normalise = (offset: number) => (p: PostingInput, index: number): Posting => {
    const hasDebit = p.debitFen !== undefined;
    if (typeof p.accountId !== 'string' || p.accountId === '' || hasDebit === (p.creditFen !== undefined)) {
      throw fail('LEDGER_POSTING_INVALID', { index: offset + index });
    }
    const amountFen = hasDebit ? p.debitFen : p.creditFen;
    assertPositiveFen(amountFen);
    if (hasDebit) debitsFen += amountFen;
    else creditsFen += amountFen;
    return { accountId: p.accountId, debitFen: hasDebit ? amountFen : 0, creditFen: hasDebit ? 0 : amountFen };
  };
  const normalised = { postings: postings.map(normalise(0)), entries: entries.map(normalise(postings.length)) };
  if (debitsFen !== creditsFen) throw fail('LEDGER_UNBALANCED', { debitsFen, creditsFen });
  return normalised;
}

export function assertTransactionType(type: unknown, allowed: readonly LedgerTransactionType[]): asserts type is LedgerTransactionType {
  if (!allowed.includes(type as LedgerTransactionType)) throw fail('LEDGER_TRANSACTION_TYPE_INVALID', { type, allowed });
}

/**
 * Fingerprint of a request, stored next to its idempotency key: a replay must carry the same
 * body. Object keys are sorted and postings put in a fixed order, so the fingerprint depends on
 * what was asked, not on how the caller happened to order it.
 */
export function requestHash(request: unknown): string {
  // Through JSON first, so the fingerprint sees what is stored (a Date as its ISO string, no undefined).
  return createHash('sha256').update(canonicalJson(JSON.parse(JSON.stringify(request)))).digest('hex');
}

/** Code-unit order, not locale order: the same postings must hash the same on every machine. */
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function sortedPostings(postings: readonly Posting[]): Posting[] {
  return [...postings].sort((a, b) => byCodeUnits(a.accountId, b.accountId) || a.debitFen - b.debitFen || a.creditFen - b.creditFen);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => byCodeUnits(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** How an actor is written into `created_by`. */
export function actorLabel(actor: AuditActor): string {
  return actor.id ? `${actor.role}:${actor.id}` : actor.role;
}
