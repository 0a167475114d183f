import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import { plainArrayLiteral } from '../../platform/db/array-literal.js';
import { constraintError } from '../../platform/errors.js';
import type { BalanceColumns, LedgerAccountRow, Posting } from './ledger.model.js';
import type { LedgerAccountType, LedgerHoldStatus, LedgerTransactionType } from './ledger.tables.js';

/** The only place with SQL for the ledger. */

const accountColumns = [
  'id',
  'code',
  'type',
  'owner_id as ownerId',
  'floor_fen as floorFen',
  'debits_must_not_exceed_credits as debitsMustNotExceedCredits',
  'debits_posted_fen as debitsPostedFen',
  'credits_posted_fen as creditsPostedFen',
  'debits_pending_fen as debitsPendingFen',
  'credits_pending_fen as creditsPendingFen',
] as const;

const transactionColumns = [
  'id',
  'type',
  'idempotency_key as idempotencyKey',
  'request_hash as requestHash',
  'reverses_id as reversesId',
  'memo',
  'metadata',
  'created_at as createdAt',
  'created_by as createdBy',
] as const;

const holdColumns = [
  'id',
  'idempotency_key as idempotencyKey',
  'request_hash as requestHash',
  'account_id as accountId',
  'counter_account_id as counterAccountId',
  'amount_fen as amountFen',
  'transaction_type as transactionType',
  'status',
  'expires_at as expiresAt',
  'memo',
  'metadata',
  'transaction_id as transactionId',
  'created_at as createdAt',
  'created_by as createdBy',
  'resolved_at as resolvedAt',
] as const;

export interface NewAccount {
  id: string;
  code: string;
  type: LedgerAccountType;
  ownerId: string | null;
  floorFen: number;
  createdAt: Date;
}

export interface NewTransaction {
  id: string;
  type: LedgerTransactionType;
  idempotencyKey: string;
  requestHash: string;
  reversesId: string | null;
  memo: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  createdBy: string;
}

export interface NewHold {
  id: string;
  idempotencyKey: string;
  requestHash: string;
  accountId: string;
  counterAccountId: string;
  amountFen: number;
  transactionType: LedgerTransactionType;
  expiresAt: Date;
  memo: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  createdBy: string;
}

export const ledgerRepository = {
  /**
   * Serialises requests that carry the same idempotency key until the end of the transaction,
   * so the second one sees the first one's result instead of racing it.
   */
  async lockIdempotencyKey(tx: Tx, scope: 'transaction' | 'hold', key: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`ledger:${scope}:${key}`}, 0))`.execute(tx);
  },

  async insertAccountIfAbsent(db: DbOrTx, account: NewAccount): Promise<boolean> {
    const inserted = await db
      .insertInto('ledger_accounts')
      .values({
        id: account.id,
        code: account.code,
        type: account.type,
        owner_id: account.ownerId,
        floor_fen: account.floorFen,
        // Purses may not go below their floor; the CHECK refuses a purse without this flag.
        debits_must_not_exceed_credits: account.type === 'purse',
        created_at: account.createdAt,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },

  findAccountByCode(db: DbOrTx, code: string): Promise<LedgerAccountRow | undefined> {
    return db.selectFrom('ledger_accounts').select(accountColumns).where('code', '=', code).executeTakeFirst();
  },

  findAccountById(db: DbOrTx, id: string): Promise<LedgerAccountRow | undefined> {
    return db.selectFrom('ledger_accounts').select(accountColumns).where('id', '=', id).executeTakeFirst();
  },

  /**
   * Locks the accounts in id order, the order every writer takes its accounts in (transit
   * settlement takes all its purses before its shared revenue and suspense accounts: decision 0006).
   */
  lockAccounts(tx: Tx, ids: readonly string[]): Promise<LedgerAccountRow[]> {
    const distinct = [...new Set(ids)];
    return tx.selectFrom('ledger_accounts').select(accountColumns).where('id', 'in', distinct).orderBy('id').forUpdate().execute();
  },

  /** Adds the deltas to the balance columns in one statement (callers hold the row locks). */
  async applyBalanceDeltas(tx: Tx, deltas: ReadonlyMap<string, BalanceColumns>): Promise<void> {
    if (deltas.size === 0) return;
    const rows = [...deltas].map(
      ([id, d]) => sql`(${id}::uuid, ${d.debitsPostedFen}::bigint, ${d.creditsPostedFen}::bigint, ${d.debitsPendingFen}::bigint, ${d.creditsPendingFen}::bigint)`,
    );
    await sql`
      update ledger_accounts a set
        debits_posted_fen = a.debits_posted_fen + v.debits_posted,
        credits_posted_fen = a.credits_posted_fen + v.credits_posted,
        debits_pending_fen = a.debits_pending_fen + v.debits_pending,
        credits_pending_fen = a.credits_pending_fen + v.credits_pending
      from (values ${sql.join(rows)}) as v(id, debits_posted, credits_posted, debits_pending, credits_pending)
      where a.id = v.id`.execute(tx);
  },

  /**
   * Bulk variants for postBatch (post-batch.ts): one statement each, whatever the number of rows
   * (the same on pg and PGlite).
   */
  /**
   * FOR NO KEY UPDATE, in id order: exclusive against every other balance writer, for bulk
   * writers that must decide from the balances before they post (lockForBatch).
   */
  lockAccountsBulk(tx: Tx, ids: readonly string[]): Promise<LedgerAccountRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return tx
      .selectFrom('ledger_accounts')
      .select(accountColumns)
      .where('id', '=', sql<string>`any(${plainArrayLiteral([...new Set(ids)])}::uuid[])`)
      .orderBy('id')
      .forNoKeyUpdate()
      .execute();
  },

  /**
   * Runs the deferred "postings sum to zero" checks of everything inserted so far now (and defers
   * them again for later writes): a bulk writer pays for them before it takes row locks rather
   * than at commit while holding them. (Since migration 0013 the bulk postings themselves are
   * checked by their statement; what remains deferred is the per-transaction-row check.)
   */
  async checkBalancedNow(tx: Tx): Promise<void> {
    await sql`set constraints ledger_transactions_balanced, ledger_postings_balanced immediate`.execute(tx);
    await sql`set constraints ledger_transactions_balanced, ledger_postings_balanced deferred`.execute(tx);
  },

  /**
   * Moves many balances in one statement, locking the rows in id order (migration 0014). The
   * floors are the row CHECK's: a guarded account pushed below its floor fails the statement with
   * INSUFFICIENT_FUNDS, and the caller rolls back. Returns how many accounts were updated (fewer
   * than the deltas when one does not exist).
   */
  async applyBalanceDeltasBulk(tx: Tx, deltas: ReadonlyMap<string, BalanceColumns>): Promise<number> {
    if (deltas.size === 0) return 0;
    const ids: string[] = [];
    const dp: number[] = [];
    const cp: number[] = [];
    const dq: number[] = [];
    const cq: number[] = [];
    for (const [id, d] of deltas) {
      ids.push(id);
      dp.push(d.debitsPostedFen);
      cp.push(d.creditsPostedFen);
      dq.push(d.debitsPendingFen);
      cq.push(d.creditsPendingFen);
    }
    try {
      const { rows } = await sql<{ n: number }>`
        select ledger_apply_balance_deltas(${plainArrayLiteral(ids)}::uuid[], ${plainArrayLiteral(dp)}::int8[], ${plainArrayLiteral(cp)}::int8[],
          ${plainArrayLiteral(dq)}::int8[], ${plainArrayLiteral(cq)}::int8[])::int8 as n`.execute(tx);
      return rows[0]?.n ?? 0;
    } catch (error) {
      throw constraintError(error) ?? error;
    }
  },

  async insertTransactionsBulk(tx: Tx, transactions: readonly NewTransaction[]): Promise<void> {
    if (transactions.length === 0) return;
    const t = transactions.map((x) => ({
      id: x.id, type: x.type, k: x.idempotencyKey, h: x.requestHash, memo: x.memo, md: x.metadata, at: x.createdAt.toISOString(), by: x.createdBy,
    }));
    await sql`
      insert into ledger_transactions (id, type, idempotency_key, request_hash, reverses_id, memo, metadata, created_at, created_by)
      select id, type, k, h, null, memo, md, at, by
      from jsonb_to_recordset(${JSON.stringify(t)}::jsonb) as v(id uuid, type text, k text, h text, memo text, md jsonb, at timestamptz, by text)`.execute(tx);
  },

  async insertPostingsBulk(tx: Tx, postings: readonly (Posting & { id: string; transactionId: string })[]): Promise<void> {
    if (postings.length === 0) return;
    // Arrays, one per column: cheaper for the database to unpack than one JSON document.
    const column = <K extends keyof (typeof postings)[number]>(key: K) => plainArrayLiteral(postings.map((x) => x[key] as string | number));
    // Checked by the statement trigger at the end of this one statement instead of a deferred
    // trigger run per posting (migration 0013); the setting is switched back off right after.
    await sql`set local ledger.balance_check = 'statement'`.execute(tx);
    await sql`
      insert into ledger_postings (id, transaction_id, account_id, debit_fen, credit_fen)
      select * from unnest(${column('id')}::uuid[], ${column('transactionId')}::uuid[], ${column('accountId')}::uuid[], ${column('debitFen')}::int8[], ${column('creditFen')}::int8[])`.execute(tx);
    await sql`set local ledger.balance_check = 'row'`.execute(tx);
  },

  findTransactionByKey(db: DbOrTx, key: string) {
    return db.selectFrom('ledger_transactions').select(transactionColumns).where('idempotency_key', '=', key).executeTakeFirst();
  },

  /** Locks a transaction row (no update happens, so the append-only trigger does not fire) to serialise its reversal. */
  lockTransaction(tx: Tx, id: string) {
    return tx.selectFrom('ledger_transactions').select(transactionColumns).where('id', '=', id).forUpdate().executeTakeFirst();
  },

  findReversalOf(db: DbOrTx, transactionId: string) {
    return db.selectFrom('ledger_transactions').select('id').where('reverses_id', '=', transactionId).executeTakeFirst();
  },

  /** A transaction's entries: its postings in the order written, then any purse entries of taps. */
  postingsOf(db: DbOrTx, transactionId: string): Promise<Posting[]> {
    return db
      .selectFrom('ledger_entries')
      .select(['account_id as accountId', 'debit_fen as debitFen', 'credit_fen as creditFen'])
      .where('transaction_id', '=', transactionId)
      .orderBy(sql`posting_id nulls last`)
      .orderBy('account_id')
      .execute();
  },

  /** The transaction and its postings in one statement (one round trip); the postings' foreign key sees the row the CTE wrote. */
  async insertTransaction(tx: Tx, t: NewTransaction, postings: readonly (Posting & { id: string })[]): Promise<void> {
    await tx
      .with('t', (db) => db
        .insertInto('ledger_transactions')
        .values({
          id: t.id,
          type: t.type,
          idempotency_key: t.idempotencyKey,
          request_hash: t.requestHash,
          reverses_id: t.reversesId,
          memo: t.memo,
          metadata: JSON.stringify(t.metadata),
          created_at: t.createdAt,
          created_by: t.createdBy,
        })
        .returning('id'))
      .insertInto('ledger_postings')
      .values(postings.map((p) => ({ id: p.id, transaction_id: t.id, account_id: p.accountId, debit_fen: p.debitFen, credit_fen: p.creditFen })))
      .execute();
  },

  async insertHold(tx: Tx, hold: NewHold): Promise<void> {
    await tx
      .insertInto('ledger_holds')
      .values({
        id: hold.id,
        idempotency_key: hold.idempotencyKey,
        request_hash: hold.requestHash,
        account_id: hold.accountId,
        counter_account_id: hold.counterAccountId,
        amount_fen: hold.amountFen,
        transaction_type: hold.transactionType,
        status: 'pending',
        expires_at: hold.expiresAt,
        memo: hold.memo,
        metadata: JSON.stringify(hold.metadata),
        created_at: hold.createdAt,
        created_by: hold.createdBy,
      })
      .execute();
  },

  findHoldByKey(db: DbOrTx, key: string) {
    return db.selectFrom('ledger_holds').select(holdColumns).where('idempotency_key', '=', key).executeTakeFirst();
  },

  /** Locks a hold before its accounts: the order holds → accounts is kept by every hold operation. */
  lockHold(tx: Tx, id: string) {
    return tx.selectFrom('ledger_holds').select(holdColumns).where('id', '=', id).forUpdate().executeTakeFirst();
  },

  /** Due pending holds, locked; holds another writer is resolving right now are left to it. */
  lockDueHolds(tx: Tx, now: Date, limit: number) {
    return tx
      .selectFrom('ledger_holds')
      .select(holdColumns)
      .where('status', '=', 'pending')
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute();
  },

  async resolveHolds(tx: Tx, ids: readonly string[], outcome: { status: Exclude<LedgerHoldStatus, 'pending'>; transactionId: string | null; at: Date }): Promise<void> {
    await tx
      .updateTable('ledger_holds')
      .set({ status: outcome.status, transaction_id: outcome.transactionId, resolved_at: outcome.at })
      .where('id', 'in', ids)
      .where('status', '=', 'pending')
      .execute();
  },

  /**
   * One account's transactions with the running balance after each (credits − debits; callers
   * flip the sign for debit-normal accounts), newest first, within [from, to). The running sum
   * covers the whole history, so a page's balances are right whatever the range or type filter.
   */
  async statement(db: DbOrTx, accountId: string, range: { from: Date | null; to: Date | null }, page: { limit: number; offset: number }, type: LedgerTransactionType | null = null) {
    const ofType = type === null ? sql`true` : sql`type = ${type}`;
    const { rows } = await sql<{ transactionId: string; createdAt: Date; type: LedgerTransactionType; memo: string | null; netCreditFen: number; balanceAfterFen: number }>`
      with per_transaction as (
        select t.id, t.created_at, t.type, t.memo, sum(p.credit_fen - p.debit_fen)::int8 as net
        from ledger_entries p join ledger_transactions t on t.id = p.transaction_id
        where p.account_id = ${accountId}
        group by t.id
      ), running as (
        select *, (sum(net) over (order by created_at, id rows unbounded preceding))::int8 as balance_after
        from per_transaction
      )
      select id as "transactionId", created_at as "createdAt", type, memo, net as "netCreditFen", balance_after as "balanceAfterFen"
      from running
      where ${inRange(range)} and ${ofType}
      order by created_at desc, id desc
      limit ${page.limit} offset ${page.offset}`.execute(db);
    const { rows: counted } = await sql<{ total: number }>`
      select count(distinct t.id)::int8 as total
      from ledger_entries p join ledger_transactions t on t.id = p.transaction_id
      where p.account_id = ${accountId} and ${inRange(range, 't.')} and ${type === null ? sql`true` : sql`t.type = ${type}`}`.execute(db);
    return { rows, total: counted[0]?.total ?? 0 };
  },

  async countRows(db: DbOrTx) {
    const { rows } = await sql<{ transactions: number; accounts: number; entries: number; holds: number }>`
      select (select count(*) from ledger_transactions)::int8 as transactions,
             (select count(*) from ledger_accounts)::int8 as accounts,
             (select count(*) from ledger_entries)::int8 as entries,
             (select count(*) from ledger_holds)::int8 as holds`.execute(db);
    return rows[0]!;
  },

  /** Transactions whose postings do not sum to zero, or that have none. */
  async unbalancedTransactions(db: DbOrTx) {
    const { rows } = await sql<{ transactionId: string; debitsFen: number; creditsFen: number; postingCount: number }>`
      select t.id as "transactionId",
             coalesce(sum(p.debit_fen), 0)::int8 as "debitsFen",
             coalesce(sum(p.credit_fen), 0)::int8 as "creditsFen",
             count(p.transaction_id)::int8 as "postingCount"
      from ledger_transactions t left join ledger_entries p on p.transaction_id = t.id
      group by t.id
      having count(p.transaction_id) = 0 or coalesce(sum(p.debit_fen), 0) <> coalesce(sum(p.credit_fen), 0)
      order by t.id`.execute(db);
    return rows;
  },

  /**
   * Every account's stored balance columns next to the ones its postings (posted) and its open
   * holds (pending) say it should have; only accounts where something differs or the recomputed
   * balance is below the floor.
   */
  async suspiciousAccounts(db: DbOrTx) {
    const { rows } = await sql<{
      id: string;
      code: string;
      guarded: boolean;
      floorFen: number;
      stored: BalanceColumns;
      expected: BalanceColumns;
    }>`
      with posted as (
        select account_id, sum(debit_fen) as debits, sum(credit_fen) as credits from ledger_entries group by account_id
      ), expected as (
        select a.*,
          coalesce(p.debits, 0)::int8 as expected_debits_posted,
          coalesce(p.credits, 0)::int8 as expected_credits_posted,
          coalesce((select sum(amount_fen) from ledger_holds where account_id = a.id and status = 'pending'), 0)::int8 as expected_debits_pending,
          coalesce((select sum(amount_fen) from ledger_holds where counter_account_id = a.id and status = 'pending'), 0)::int8 as expected_credits_pending
        from ledger_accounts a left join posted p on p.account_id = a.id
      )
      select id, code, debits_must_not_exceed_credits as guarded, floor_fen as "floorFen",
        json_build_object('debitsPostedFen', debits_posted_fen, 'creditsPostedFen', credits_posted_fen,
                          'debitsPendingFen', debits_pending_fen, 'creditsPendingFen', credits_pending_fen) as stored,
        json_build_object('debitsPostedFen', expected_debits_posted, 'creditsPostedFen', expected_credits_posted,
                          'debitsPendingFen', expected_debits_pending, 'creditsPendingFen', expected_credits_pending) as expected
      from expected
      where (debits_posted_fen, credits_posted_fen, debits_pending_fen, credits_pending_fen)
              <> (expected_debits_posted, expected_credits_posted, expected_debits_pending, expected_credits_pending)
         or (debits_must_not_exceed_credits
             and expected_credits_posted - expected_debits_posted - expected_debits_pending < floor_fen)
      order by code`.execute(db);
    return rows;
  },
};

function inRange(range: { from: Date | null; to: Date | null }, prefix: '' | 't.' = '') {
  const createdAt = sql.raw(`${prefix}created_at`);
  return sql`(${range.from}::timestamptz is null or ${createdAt} >= ${range.from}::timestamptz)
    and (${range.to}::timestamptz is null or ${createdAt} < ${range.to}::timestamptz)`;
}
