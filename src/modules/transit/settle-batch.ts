import { deriveCardKey, verifyTac } from '../../domain/transit-crypto.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type Db, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { DomainError, fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { accountCodes, ensureAccount, lockForBatch, postBatch, type Balance, type BatchTransactionInput, type PostingInput } from '../ledger/ledger.js';
import type { BatchRequest, BatchResponse, TapRecord } from './protocol.js';
import './transit.errors.js';
import { transitRepository as repo, type CardForSettlement, type StatusEventForSettlement, type TapRowToInsert } from './transit.repository.js';
import type { TapFlagCode, TapRejectCode } from './transit.tables.js';

/**
 * Settles one uploaded batch of taps (docs/decisions/0005-transit-settlement.md):
 * - idempotent per (terminal, seq): seqs already stored (settled or rejected) count as duplicates
 *   and change nothing; uploads of one terminal are serialised by a lock;
 * - each new record: card known (else CARD_UNKNOWN), TAC valid with the card's derived key (else
 *   TAC_INVALID), its (card, counter) not settled before (else COUNTER_REPLAY): rejected records
 *   are stored too, so the terminal can drop them once acknowledged;
 * - accepted records are settled even when flagged: COUNTER_GAP (the card's counter jumped),
 *   AFTER_DENY (tapped after the card was deny-listed: the money was taken offline),
 *   BALANCE_MISMATCH (the balance the card reports does not follow from its previous tap, or the
 *   shadow purse lacks the money: the shortfall goes to `suspense:transit`, never lost);
 * - money: purse → `revenue:fares:<operator>`, a few statements for the whole batch (ledger
 *   postBatch). Each settled tap row is its purse's debit (migration 0017, `purse_entry_fen` on
 *   `purse_account_id`, and the database moves the purse as the row is written, 0018);
 *   its ledger transaction holds the other side as postings (revenue, and suspense for a
 *   shortfall). A ledger transaction holds at most one tap per card (a card's k-th tap in the
 *   batch goes to the k-th transaction), so a purse statement still shows every tap on its own
 *   line while a batch needs only as many transactions as its busiest card has taps;
 * - answers the highest contiguous seq stored for the terminal (ackSeq); one audit row per batch.
 */

export interface UploadingTerminal {
  id: string;
  code: string;
  operator: string;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;


/** Operators are free text; account codes are not: a readable slug, with a hash when characters were replaced. */
export function operatorSlug(operator: string): string {
  const slug = operator.replace(/[^A-Za-z0-9_.-]/g, '_');
  if (slug === operator) return slug;
  let h = 0;
  for (const ch of operator) h = (Math.imul(h, 31) + ch.codePointAt(0)!) >>> 0;
  return `${slug}.${h.toString(16)}`;
}

export const transitSuspenseCode = 'suspense:transit';

/** Revenue and suspense account ids per database (they never change once opened). */
const accountIdCache = new WeakMap<Db, Map<string, string>>();

/** Opened in its own statement (committed), so a cached id never names a rolled-back row. */
async function sharedAccount(ctx: AppContext, code: string, type: 'fare_revenue' | 'suspense'): Promise<string> {
  let cache = accountIdCache.get(ctx.db);
  if (!cache) accountIdCache.set(ctx.db, (cache = new Map()));
  const cached = cache.get(code);
  if (cached) return cached;
  const account = await ensureAccount(ctx.db, ctx.clock, { code, type, actor: { role: 'system', id: null } });
  cache.set(code, account.id);
  return account.id;
}

/** A card as settlement knows it: its ids, and the key its TACs are checked with (null without a purse: never checked). */
interface SettlementCard extends CardForSettlement {
  key: Buffer | null;
}

/**
 * Card number → card id, purse id and TAC key, per database and issuer master key: facts that
 * never change once the purse exists (card numbers are unique and never reused, ledger accounts
 * never change id, the key is an HMAC of the card number), so a card tapped again is neither
 * looked up nor derived again. Cards without a purse are not cached (they may get one).
 */
const cardCache = new WeakMap<Db, { masterKey: string; cards: Map<string, SettlementCard> }>();
const CARD_CACHE_LIMIT = 1_000_000;

/** The card of each record, in the records' order (null: no such card). */
async function cardsOf(db: Db, tx: Tx, masterKey: string, records: readonly TapRecord[]): Promise<(SettlementCard | null)[]> {
  let cache = cardCache.get(db);
  if (!cache || cache.masterKey !== masterKey) cardCache.set(db, (cache = { masterKey, cards: new Map() }));
  const { cards } = cache;
  const found = new Array<SettlementCard | null>(records.length);
  const missing: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const card = cards.get(records[i]!.cardNo) ?? null;
    found[i] = card;
    if (!card) missing.push(records[i]!.cardNo);
  }
  if (missing.length === 0) return found;
  if (cards.size + missing.length > CARD_CACHE_LIMIT) cards.clear();
  const fetched = new Map<string, SettlementCard>();
  for (const row of await repo.cardsByNo(tx, missing)) {
    const card = { ...row, key: row.purseId ? deriveCardKey(masterKey, row.cardNo) : null };
    fetched.set(card.cardNo, card);
    if (card.purseId) cards.set(card.cardNo, card);
  }
  for (let i = 0; i < records.length; i++) found[i] ??= fetched.get(records[i]!.cardNo) ?? null;
  return found;
}

interface Classified {
  record: TapRecord;
  card: SettlementCard | null;
  code: TapRejectCode | null;
  flags: TapFlagCode[];
  fromPurseFen: number;
  shortfallFen: number;
  ledgerTransactionId: string | null;
  appliedActions: string[];
}

export async function settleBatch(ctx: AppContext, terminal: UploadingTerminal, batch: BatchRequest, actor: AuditActor, requestId: string | null): Promise<BatchResponse> {
  // Within one upload the first record of a seq wins; the others are duplicates.
  const bySeq = new Map<number, TapRecord>();
  for (const r of batch.records) if (!bySeq.has(r.seq)) bySeq.set(r.seq, r);
  const inBatchDuplicates = batch.records.length - bySeq.size;

  const revenueId = await sharedAccount(ctx, accountCodes.fareRevenue(operatorSlug(terminal.operator)), 'fare_revenue');
  const suspenseId = await sharedAccount(ctx, transitSuspenseCode, 'suspense');

  return inTransaction(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    await repo.lockTerminal(tx, terminal.id);
    const state = await repo.terminalState(tx, terminal.id);
    const existing = await repo.existingSeqs(tx, terminal.id, [...bySeq.keys()]);
    const fresh = [...bySeq.values()].filter((r) => !existing.has(r.seq));
    const batchRowId = newId();

    const cards = await cardsOf(ctx.db, tx, ctx.config.secrets.cardMasterKey, fresh);
    const cardIds = new Set<string>();
    for (const card of cards) if (card) cardIds.add(card.id);
    const history = groupBy(await repo.deniedHistory(tx, [...cardIds]), (e) => e.cardId);
    const actionIds = [...new Set(fresh.flatMap((r) => r.appliedActionIds).filter((id) => uuidPattern.test(id)))];
    const actions = new Map((await repo.actionsByIds(tx, actionIds)).map((a) => [a.id, a]));
    const classified = await classify(tx, terminal.code, fresh, cards, history, actions);

    /** Everything the batch writes; the purses are locked only near its end (as the taps are written), for a short time. */
    const write = async (): Promise<BatchResponse> => {
      const settled = classified.filter((c) => c.code === null && c.record.amountFen > 0);
      const transactions: BatchTransactionInput[] = [];
      for (const chunk of onePerCard(settled)) {
        const id = newId();
        // The purse side is the taps themselves (migration 0017): each is its purse's debit.
        const entries: PostingInput[] = [];
        let revenue = 0;
        let suspense = 0;
        for (const c of chunk) {
          c.ledgerTransactionId = id;
          revenue += c.record.amountFen;
          suspense += c.shortfallFen;
          if (c.fromPurseFen > 0) entries.push({ accountId: c.card!.purseId!, debitFen: c.fromPurseFen });
        }
        const postings: PostingInput[] = suspense > 0 ? [{ accountId: suspenseId, debitFen: suspense }] : [];
        postings.push({ accountId: revenueId, creditFen: revenue });
        transactions.push({
          id,
          idempotencyKey: `transit:${terminal.id}:${chunk[0]!.record.seq}`,
          type: 'fare',
          postings,
          entries,
          memo: `乘车 ${terminal.code} #${chunk[0]!.record.seq}…${chunk.at(-1)!.record.seq}`,
          metadata: { terminalId: terminal.id, batchRowId, taps: chunk.length },
        });
      }
      // The batch's own rows (the taps among them, the purse side of the transactions) are
      // written inside postBatch; writing the taps moves their purses (migration 0018).
      let answer: BatchResponse | undefined;
      await postBatch(tx, ctx.clock, { transactions, actor, writeOwnRows: async () => {
        answer = await writeBatchRows(transactions, settled);
      } });
      return answer!;
    };

    /** The taps, applied actions, upload state, batch row and audit row; the answer to the terminal. */
    const writeBatchRows = async (transactions: readonly BatchTransactionInput[], settled: readonly Classified[]): Promise<BatchResponse> => {
      await repo.insertTaps(tx, terminal.id, batchRowId, terminal.operator, now, classified.map(tapRow));
      await repo.markActionsApplied(tx, terminal.id, now, classified.flatMap((c) => (c.code === null ? c.appliedActions.map((id) => ({ id, cardId: c.card!.id, seq: c.record.seq })) : [])));
      const ackSeq = await repo.contiguousSeq(tx, terminal.id, state?.ack_seq ?? 0);
      await repo.saveUploadState(tx, terminal.id, { ackSeq, at: now, batchRowId });

      const rejected = classified.filter((c) => c.code !== null).map((c) => ({ seq: c.record.seq, code: c.code! }));
      const flagged = classified.flatMap((c) => (c.code === null ? c.flags.map((code) => ({ seq: c.record.seq, code })) : []));
      const accepted = classified.length - rejected.length;
      const amountFen = classified.reduce((sum, c) => sum + (c.code === null ? c.record.amountFen : 0), 0);
      const duplicates = existing.size + inBatchDuplicates;
      await repo.insertBatch(tx, {
        id: batchRowId, terminalId: terminal.id, batchId: batch.batchId, receivedAt: now, records: batch.records.length, accepted, duplicates,
        rejected: rejected.length, flagged: flagged.length, amountFen, ackSeq,
      });
      await recordAudit(tx, ctx.clock, {
        actor,
        action: 'transit.batch.settled',
        entityType: 'transit_batch',
        entityId: batchRowId,
        after: {
          terminalId: terminal.id, batchId: batch.batchId, records: batch.records.length, accepted, duplicates, rejected: rejected.length, flagged: flagged.length,
          amountFen, ackSeq, ledgerTransactions: transactions.length, firstLedgerTransactionId: transactions[0]?.id ?? null, lastLedgerTransactionId: transactions.at(-1)?.id ?? null,
          shortfallFen: settled.reduce((sum, c) => sum + c.shortfallFen, 0),
        },
        requestId,
      });
      return { ackSeq, accepted, duplicates, rejected: rejected.sort((a, b) => a.seq - b.seq), flagged: flagged.sort((a, b) => a.seq - b.seq) };
    };

    // Optimistic: purses normally hold what the cards spent. If one does not, undo and settle
    // again with the purses locked first, sending what they lack to suspense.
    await repo.savepoint(tx);
    try {
      const answer = await write();
      await repo.releaseSavepoint(tx);
      return answer;
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'INSUFFICIENT_FUNDS')) throw error;
      await repo.rollbackToSavepoint(tx);
    }
    // Purses first, then the shared accounts: the order the optimistic path takes them in (its
    // taps move the purses, its postings then revenue and suspense), so the two paths of
    // concurrent batches cannot deadlock.
    const purseIds = [...new Set(cards.flatMap((c) => (c?.purseId ? [c.purseId] : [])))];
    const purses = await lockForBatch(tx, purseIds);
    await lockForBatch(tx, [revenueId, suspenseId]);
    chargeWithinFloors(classified, purses);
    return write();
  });
}

/**
 * Splits each settled tap between its purse (down to the purse's floor, never below) and
 * suspense, in (card, counter) order, so the totals do not depend on upload order.
 */
function chargeWithinFloors(classified: Classified[], balances: ReadonlyMap<string, Balance>): void {
  const spendable = new Map<string, number>();
  const inOrder = classified.filter((c) => c.code === null).sort(byCardCounter);
  for (const c of inOrder) {
    const purseId = c.card!.purseId!;
    const purse = balances.get(purseId);
    const left = spendable.get(purseId) ?? (purse ? purse.availableFen - purse.floorFen : 0);
    c.fromPurseFen = Math.min(c.record.amountFen, Math.max(0, left));
    c.shortfallFen = c.record.amountFen - c.fromPurseFen;
    spendable.set(purseId, left - c.fromPurseFen);
    if (c.shortfallFen > 0 && !c.flags.includes('BALANCE_MISMATCH')) c.flags.push('BALANCE_MISMATCH');
  }
}

/**
 * Splits taps (in their order) into groups where each card appears at most once: a card's k-th
 * tap goes to group k. Groups keep the taps' order; the first group is the largest.
 */
export function onePerCard<T extends { card: { id: string } | null }>(taps: readonly T[]): T[][] {
  const groups: T[][] = [];
  const seen = new Map<string, number>();
  for (const tap of taps) {
    const id = tap.card!.id;
    const k = seen.get(id) ?? 0;
    seen.set(id, k + 1);
    (groups[k] ??= []).push(tap);
  }
  return groups;
}

function byCardCounter(a: Classified, b: Classified): number {
  return a.card!.id < b.card!.id ? -1 : a.card!.id > b.card!.id ? 1 : byCounterThenSeq(a, b);
}

function byCounterThenSeq(a: Classified, b: Classified): number {
  return a.record.cardCounter - b.record.cardCounter || a.record.seq - b.record.seq;
}

/**
 * Decides each new record, card by card in counter order. Runs before the purses are locked: a
 * replay racing in another terminal's upload is refused by the unique (card, counter) index instead.
 */
async function classify(
  tx: Tx,
  terminalCode: string,
  fresh: readonly TapRecord[],
  cards: readonly (SettlementCard | null)[],
  history: ReadonlyMap<string, StatusEventForSettlement[]>,
  actions: ReadonlyMap<string, { id: string; cardId: string; kind: 'top_up' | 'extend'; amountFen: number | null; appliedAt: Date | null }>,
): Promise<Classified[]> {
  const out: Classified[] = [];
  const byCard = new Map<string, Classified[]>();
  for (let i = 0; i < fresh.length; i++) {
    const record = fresh[i]!;
    const card = cards[i]!;
    const code: TapRejectCode | null = !card || !card.key ? 'CARD_UNKNOWN' : !tacVerifies(card.key, terminalCode, record) ? 'TAC_INVALID' : null;
    const c: Classified = { record, card: code === 'CARD_UNKNOWN' ? null : card, code, flags: [], fromPurseFen: record.amountFen, shortfallFen: 0, ledgerTransactionId: null, appliedActions: [] };
    out.push(c);
    if (code !== null) continue;
    const taps = byCard.get(card!.id);
    if (taps) taps.push(c);
    else byCard.set(card!.id, [c]);
  }
  const last = new Map((await repo.lastTaps(tx, [...byCard.keys()])).map((t) => [t.cardId, t]));
  // Only a counter at or below the card's highest settled one can be a replay: ask about those alone.
  const maybeReplayed: { cardId: string; cardCounter: number }[] = [];
  for (const [cardId, taps] of byCard) {
    const highest = last.get(cardId)?.cardCounter ?? 0;
    for (const c of taps) if (c.record.cardCounter <= highest) maybeReplayed.push({ cardId, cardCounter: c.record.cardCounter });
  }
  const settledBefore = await repo.settledCounters(tx, maybeReplayed);

  const appliedNow = new Set<string>();
  for (const [cardId, taps] of byCard) {
    if (taps.length > 1) taps.sort(byCounterThenSeq);
    const events = history.get(cardId);
    let previous = last.get(cardId);
    let previousCounter = -1;
    for (const c of taps) {
      const r = c.record;
      // The same counter twice in this upload: the first (lowest seq) counts, the others are replays.
      if (r.cardCounter === previousCounter || (settledBefore.size > 0 && settledBefore.has(`${cardId}:${r.cardCounter}`))) {
        c.code = 'COUNTER_REPLAY';
        continue;
      }
      previousCounter = r.cardCounter;

      // Top-ups written to the card at this tap (each action once, and only the card's own).
      let toppedUpFen = 0;
      for (const id of r.appliedActionIds) {
        const action = actions.get(id);
        if (!action || action.cardId !== cardId || action.appliedAt !== null || appliedNow.has(id)) continue;
        appliedNow.add(id);
        c.appliedActions.push(id);
        if (action.kind === 'top_up') toppedUpFen += action.amountFen ?? 0;
      }

      // Counters: a jump past the highest known counter is a gap; one step must carry the balance on.
      if (!previous) {
        if (r.cardCounter > 1) c.flags.push('COUNTER_GAP');
      } else if (r.cardCounter > previous.cardCounter + 1) {
        c.flags.push('COUNTER_GAP');
      } else if (r.cardCounter === previous.cardCounter + 1 && r.balanceAfterFen !== previous.balanceAfterFen - r.amountFen + toppedUpFen) {
        c.flags.push('BALANCE_MISMATCH');
      }
      if (!previous || r.cardCounter > previous.cardCounter) previous = { cardId, cardCounter: r.cardCounter, balanceAfterFen: r.balanceAfterFen };

      if (events && deniedAt(events, new Date(r.at))) c.flags.push('AFTER_DENY');
    }
  }
  return out;
}

function tacVerifies(key: Buffer, terminalCode: string, r: TapRecord): boolean {
  return verifyTac(key, { terminalCode, cardNo: r.cardNo, cardCounter: r.cardCounter, amountFen: r.amountFen, balanceAfterFen: r.balanceAfterFen, at: r.at }, r.tac);
}

/** Whether the card was deny-listed at `at`: its latest status event at or before then denies it. */
function deniedAt(events: readonly StatusEventForSettlement[], at: Date): boolean {
  let denied = false;
  for (const e of events) {
    if (e.at.getTime() > at.getTime()) break;
    denied = e.denied;
  }
  return denied;
}

function tapRow(c: Classified): TapRowToInsert {
  const r = c.record;
  const settled = c.code === null;
  // The tap is its purse's ledger entry when it took something from the purse.
  const entry = settled && c.ledgerTransactionId !== null && c.fromPurseFen > 0;
  return {
    seq: r.seq, cardNo: r.cardNo, cardId: c.card?.id ?? null, cardCounter: r.cardCounter, kind: r.kind, amountFen: r.amountFen, balanceAfterFen: r.balanceAfterFen,
    at: r.at, fare: r.fare, appliedActionIds: r.appliedActionIds, outcome: settled ? 'settled' : 'rejected', code: c.code,
    flags: settled ? c.flags : [], ledgerTransactionId: settled ? c.ledgerTransactionId : null, shortfallFen: settled ? c.shortfallFen : 0,
    purseEntryFen: entry ? c.fromPurseFen : null, purseAccountId: entry ? c.card!.purseId : null,
  };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** The terminal named in the path must be the caller, and enabled. */
export async function uploadingTerminal(db: DbOrTx, callerTerminalId: string, pathTerminalId: string): Promise<UploadingTerminal> {
  if (callerTerminalId !== pathTerminalId) throw fail('TERMINAL_NOT_YOURS', { terminalId: pathTerminalId });
  const terminal = await repo.terminal(db, pathTerminalId);
  if (!terminal) throw fail('NOT_FOUND', { terminalId: pathTerminalId });
  if (terminal.disabledAt) throw fail('TERMINAL_DISABLED', { terminalId: pathTerminalId });
  return { id: terminal.id, code: terminal.code, operator: terminal.operator };
}
