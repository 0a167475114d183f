import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { constraintError, fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { createHash } from 'node:crypto';
import {
  actorLabel, assertTransactionType, balanceOfRow, normaliseEntries, postedDeltas, sortedPostings, transactionTypes,
  type Balance, type LedgerTransactionType, type Posting, type PostingInput,
} from './ledger.model.js';
import { ledgerRepository as repo } from './ledger.repository.js';
import { assertIdempotencyKey } from './record-transaction.js';

/**
 * Many balanced transactions in a handful of statements, for callers that settle thousands of
 * movements at once (transit tap batches). The same invariants as postTransaction: every
 * transaction's postings sum to zero (checked here, and by the ledger's balance trigger), the
 * balances move in the same database transaction, no guarded account ends below its floor
 * (the CHECK on the row, mapped to INSUFFICIENT_FUNDS).
 * Differences, by design:
 * - the caller runs it inside its transaction and guarantees the idempotency keys are new (a
 *   repeated key is a unique violation, not a replay: the caller owns deduplication, e.g.
 *   transit's (terminal, seq) key);
 * - one audit row for the whole batch instead of one per transaction: this one, or, when `audit`
 *   is left out, the caller's own row in the same transaction (it gets the transaction ids back);
 * - order of work, to keep row locks short: insert transactions, the caller's rows and postings,
 *   run the balance trigger's checks right away (not at commit), then move the postings' balances
 *   in one statement that locks the rows in id order and leaves the floors to the row CHECK
 *   (migration 0014). A floor broken is INSUFFICIENT_FUNDS after rows were written, so the caller
 *   must roll back (a savepoint) — as for any error here. Callers that must decide from balances
 *   lock first with lockForBatch, in the order postBatch would take the rows, then call postBatch.
 * - the postings go in as one statement in the ledger's "statement" check mode (migration 0013):
 *   the database checks each ledger transaction's balance and the rows the postings name once, at
 *   the end of that statement, so a transaction of thousands of postings costs linear work;
 * - a transaction may have `entries` the caller keeps in its own rows instead of postings (a
 *   settled transit tap is its purse's debit, migration 0017). They count like postings in the
 *   balance check here; the caller writes them in `writeOwnRows`, which runs once, after the
 *   transactions and before the postings are written, and the database moves their accounts as
 *   they are written (the trigger on the caller's rows, migration 0018, in id order; a floor
 *   broken there is INSUFFICIENT_FUNDS too), so postBatch moves only the postings' accounts, and
 *   the entries' accounts are locked before them. The postings' statement check then sees each
 *   such transaction whole, and the ledger's deferred triggers check it again when postBatch runs
 *   them.
 */

export interface BatchTransactionInput {
  idempotencyKey: string;
  type: Exclude<LedgerTransactionType, 'reversal'>;
  postings: PostingInput[];
  memo?: string | null;
  metadata?: Record<string, unknown>;
  /** Chosen by the caller (so it can point at the transaction before it is written); new UUIDv7 if absent. */
  id?: string;
  /** Entries the caller writes as its own rows (see above), not as postings. */
  entries?: readonly PostingInput[];
}

export interface PostBatchRequest {
  transactions: readonly BatchTransactionInput[];
  actor: AuditActor;
  audit?: { action: string; entityType: string; entityId: string | null; details?: Record<string, unknown>; requestId?: string | null };
  /**
   * Writes the caller's own rows in the same database transaction, those holding the transactions'
   * `entries` among them: called once (even with no transactions), after the transactions are
   * written and before the postings are, the checks run and the postings' balances move.
   */
  writeOwnRows?: () => Promise<void>;
}

export interface PostedBatch {
  transactionIds: string[];
  postingCount: number;
}

const postableTypes = transactionTypes.filter((type) => type !== 'reversal');

/** Locks the accounts (id order, held to commit) and returns their balances. */
export async function lockForBatch(tx: Tx, accountIds: readonly string[]): Promise<Map<string, Balance>> {
  return new Map((await repo.lockAccountsBulk(tx, accountIds)).map((row) => [row.id, balanceOfRow(row)]));
}

export async function postBatch(tx: Tx, clock: Clock, request: PostBatchRequest): Promise<PostedBatch> {
  if (request.transactions.length === 0) {
    await writeCallerRows(request);
    return { transactionIds: [], postingCount: 0 };
  }
  const now = clock.now();
  const createdBy = actorLabel(request.actor);
  const stored: (Posting & { id: string; transactionId: string })[] = [];
  const all: Posting[] = [];
  const newTransactions = request.transactions.map((t) => {
    assertIdempotencyKey(t.idempotencyKey);
    assertTransactionType(t.type, postableTypes);
    const { postings, entries } = normaliseEntries(t.postings, t.entries ?? []);
    const id = t.id ?? newId();
    for (const p of postings) {
      stored.push({ ...p, id: newId(), transactionId: id });
      all.push(p);
    }
    let metadata = t.metadata ?? {};
    if (entries.length > 0) {
      for (const e of entries) all.push(e);
      // The entries are not in the fingerprint one by one (thousands of them, and the caller owns
      // deduplication); the transaction says how many it has and what they move.
      metadata = { ...metadata, entries: entries.length, entriesDebitFen: sumSide(entries, 'debitFen'), entriesCreditFen: sumSide(entries, 'creditFen') };
    }
    const hash = postRequestHash(t.type, postings, t.memo ?? null, metadata);
    return { id, type: t.type, idempotencyKey: t.idempotencyKey, requestHash: hash, reversesId: null, memo: t.memo ?? null, metadata, createdAt: now, createdBy };
  });

  await repo.insertTransactionsBulk(tx, newTransactions);
  // The caller's rows before the postings: the entries among them move their own purses as they
  // are written (migration 0018; a purse taken below its floor is INSUFFICIENT_FUNDS), and the
  // postings' statement check then sees each transaction whole.
  await writeCallerRows(request);
  await repo.insertPostingsBulk(tx, stored);
  await repo.checkBalancedNow(tx);

  const deltas = postedDeltas(stored);
  const updated = await repo.applyBalanceDeltasBulk(tx, deltas);
  if (updated !== deltas.size) {
    const found = new Set((await repo.lockAccountsBulk(tx, [...deltas.keys()])).map((a) => a.id));
    throw fail('LEDGER_ACCOUNT_NOT_FOUND', { accountIds: [...deltas.keys()].filter((id) => !found.has(id)) });
  }

  if (request.audit) {
    await recordAudit(tx, clock, {
      actor: request.actor,
      action: request.audit.action,
      entityType: request.audit.entityType,
      entityId: request.audit.entityId,
      after: {
        ...request.audit.details,
        ledgerTransactions: newTransactions.length,
        postings: stored.length,
        totalFen: all.reduce((sum, p) => sum + p.debitFen, 0),
        firstTransactionId: newTransactions[0]?.id,
        lastTransactionId: newTransactions.at(-1)?.id,
      },
      requestId: request.audit.requestId ?? null,
    });
  }
  return { transactionIds: newTransactions.map((t) => t.id), postingCount: stored.length };
}

/** The caller's own rows; a purse its entries would take below its floor is INSUFFICIENT_FUNDS, as for postings. */
async function writeCallerRows(request: PostBatchRequest): Promise<void> {
  try {
    await request.writeOwnRows?.();
  } catch (error) {
    throw constraintError(error) ?? error;
  }
}

function sumSide(entries: readonly Posting[], side: 'debitFen' | 'creditFen'): number {
  let total = 0;
  for (const e of entries) total += e[side];
  return total;
}

/**
 * The same fingerprint as requestHash({ operation: 'post', type, postings: sortedPostings(postings),
 * memo, metadata }) — what postTransaction stores, so a later replay of the key compares alike —
 * built directly: the canonical JSON of that shape is known (keys memo, metadata, operation,
 * postings, type; a posting's accountId, creditFen, debitFen), and a 5,000-posting transaction
 * would otherwise be copied through JSON twice and walked generically.
 */
export function postRequestHash(type: string, postings: readonly Posting[], memo: string | null, metadata: Record<string, unknown>): string {
  const sorted = sortedPostings(postings);
  const parts: string[] = new Array<string>(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    parts[i] = `{"accountId":${JSON.stringify(p.accountId)},"creditFen":${p.creditFen},"debitFen":${p.debitFen}}`;
  }
  const metadataJson = requestHashCanonical(metadata);
  const canonical = `{"memo":${JSON.stringify(memo)},"metadata":${metadataJson},"operation":"post","postings":[${parts.join(',')}],"type":${JSON.stringify(type)}}`;
  return createHash('sha256').update(canonical).digest('hex');
}

/** Canonical JSON (sorted keys, through JSON first) of a small value, as requestHash builds it. */
function requestHashCanonical(value: unknown): string {
  const walk = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(walk).join(',')}]`;
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${walk(x)}`).join(',')}}`;
    }
    return JSON.stringify(v);
  };
  return walk(JSON.parse(JSON.stringify(value)));
}
