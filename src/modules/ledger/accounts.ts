import { sql } from 'kysely';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { accountTypes, balanceOfRow, type Balance, type LedgerAccountRow, type LedgerAccountType } from './ledger.model.js';
import { ledgerRepository as repo } from './ledger.repository.js';

export interface EnsureAccountRequest {
  /** e.g. `purse:<cardId>`, `clearing:alipay`; see accountCodes. */
  code: string;
  type: LedgerAccountType;
  ownerId?: string | null;
  /** The lowest balance a purse may reach, ≤ 0 (an overdraft allowance); 0 by default. */
  floorFen?: number;
  actor: AuditActor;
}

export interface LedgerAccount {
  id: string;
  code: string;
  type: LedgerAccountType;
  ownerId: string | null;
  floorFen: number;
}

/**
 * Returns the account with this code, opening it first if needed; safe to call on every use.
 * An existing account with other attributes is an error rather than silently kept, because
 * the caller would otherwise believe in a floor or an owner the account does not have.
 */
export async function ensureAccount(db: DbOrTx, clock: Clock, request: EnsureAccountRequest): Promise<LedgerAccount> {
  const wanted = validAccountRequest(request);
  // Read first: nearly every call finds the account (a canteen till at each purchase), in one round trip.
  const existing = await repo.findAccountByCode(db, wanted.code);
  const opened = !existing && (await repo.insertAccountIfAbsent(db, { id: newId(), ...wanted, createdAt: clock.now() }));
  const row = existing ?? (await repo.findAccountByCode(db, wanted.code));
  if (!row) throw fail('LEDGER_ACCOUNT_NOT_FOUND', { code: wanted.code });
  const account = accountOf(row);
  if (opened) {
    await recordAudit(db, clock, { actor: request.actor, action: 'ledger.account.opened', entityType: 'ledger_account', entityId: account.id, after: account });
  } else if (account.type !== wanted.type || account.ownerId !== wanted.ownerId || (request.floorFen !== undefined && account.floorFen !== wanted.floorFen)) {
    throw fail('LEDGER_ACCOUNT_CONFLICT', { code: wanted.code, existing: account, requested: wanted });
  }
  return account;
}

/** The same pattern as the CHECK on ledger_accounts.code, to answer with a 400 instead of a database error. */
const accountCodePattern = /^[a-z_]+(:[A-Za-z0-9_.-]+)*$/;

function validAccountRequest(request: EnsureAccountRequest): Omit<LedgerAccount, 'id'> {
  if (!accountCodePattern.test(request.code)) throw fail('LEDGER_ACCOUNT_CODE_INVALID', { code: request.code });
  if (!accountTypes.includes(request.type)) throw fail('LEDGER_ACCOUNT_TYPE', { type: request.type, allowed: accountTypes });
  const floorFen = request.floorFen ?? 0;
  if (!Number.isSafeInteger(floorFen) || floorFen > 0) throw fail('LEDGER_AMOUNT_INVALID', { floorFen });
  if (floorFen !== 0 && request.type !== 'purse') throw fail('LEDGER_ACCOUNT_TYPE', { reason: 'only a purse has a floor', type: request.type });
  return { code: request.code, type: request.type, ownerId: request.ownerId ?? null, floorFen };
}

function accountOf(row: LedgerAccountRow): LedgerAccount {
  return { id: row.id, code: row.code, type: row.type, ownerId: row.ownerId, floorFen: row.floorFen };
}

export async function findAccountByCode(db: DbOrTx, code: string): Promise<LedgerAccount> {
  const row = await repo.findAccountByCode(db, code);
  if (!row) throw fail('LEDGER_ACCOUNT_NOT_FOUND', { code });
  return accountOf(row);
}

/** Posted, pending and available balance, in the account's own direction (see normalSide). */
export async function balanceOf(db: DbOrTx, accountId: string): Promise<Balance> {
  const row = await repo.findAccountById(db, accountId);
  if (!row) throw fail('LEDGER_ACCOUNT_NOT_FOUND', { accountId });
  return balanceOfRow(row);
}

/**
 * For set-based reads over many purses (a job, not a payment): a card's purse joined as `alias`
 * (`purseJoin`), and its available balance as balanceOfRow computes it for a credit-normal
 * account: posted, less outgoing holds. One definition, so such reads cannot drift from balanceOf.
 */
export const purseJoinCondition = (alias: string, cardIdColumn: string) => sql<boolean>`${sql.ref(`${alias}.code`)} = 'purse:' || ${sql.ref(cardIdColumn)}`;
export const purseAvailableSql = (alias: string) =>
  sql<number>`(${sql.ref(`${alias}.credits_posted_fen`)} - ${sql.ref(`${alias}.debits_posted_fen`)} - ${sql.ref(`${alias}.debits_pending_fen`)})`;
