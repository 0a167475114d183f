import { sql } from 'kysely';
import type { FinalStatus } from '../../domain/card-lifecycle.js';
import { plainArrayLiteral } from '../../platform/db/array-literal.js';
import { delimitedList, delimitedRows, FIELD_SEPARATOR, ITEM_SEPARATOR, ROW_SEPARATOR } from '../../platform/db/delimited-rows.js';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import type { TapFare } from './protocol.js';
import type { TapFlagCode, TapRejectCode, TransitTapsTable } from './transit.tables.js';

/**
 * The only SQL of transit. Batch statements take their rows as one parameter (delimited text for
 * the taps, JSON for the rest) and unpack it in SQL: one statement per step whatever the batch
 * size, the same on pg and PGlite.
 */

const json = (rows: unknown) => JSON.stringify(rows);
const uuidArray = (ids: readonly string[]) => plainArrayLiteral([...new Set(ids)]);

export interface TapRowToInsert {
  seq: number;
  cardNo: string;
  cardId: string | null;
  cardCounter: number;
  kind: string;
  amountFen: number;
  balanceAfterFen: number;
  at: string;
  fare: TapFare | null;
  appliedActionIds: string[];
  outcome: 'settled' | 'rejected';
  code: TapRejectCode | null;
  flags: TapFlagCode[];
  ledgerTransactionId: string | null;
  shortfallFen: number;
  /** What the tap took from its purse when the tap row is that ledger entry (migration 0017), and that purse (0018). */
  purseEntryFen: number | null;
  purseAccountId: string | null;
}

/** The stored fare columns as the TapFare the terminal sent (absent fields left out), or null. */
const fareObject = sql`case when t.fare_mode is null then null else jsonb_strip_nulls(jsonb_build_object(
  'mode', t.fare_mode, 'category', t.fare_category, 'lineType', t.fare_line_type, 'distanceKm', t.fare_distance_km,
  'fullFareFen', t.fare_full_fen, 'fareFen', t.fare_fen, 'rule', t.fare_rule, 'monthSpentBeforeFen', t.fare_month_spent_before_fen,
  'entryStation', t.fare_entry_station, 'exitStation', t.fare_exit_station)) end`;

export interface CardForSettlement {
  id: string;
  cardNo: string;
  purseId: string | null;
}

export interface StatusEventForSettlement {
  cardId: string;
  at: Date;
  denied: boolean;
}

export const transitRepository = {
  /** Serialises uploads of one terminal (a retry racing its first attempt) until commit. */
  async lockTerminal(tx: Tx, terminalId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`transit:terminal:${terminalId}`}, 0))`.execute(tx);
  },

  async savepoint(tx: Tx): Promise<void> {
    await sql`savepoint transit_settlement`.execute(tx);
  },

  async releaseSavepoint(tx: Tx): Promise<void> {
    await sql`release savepoint transit_settlement`.execute(tx);
  },

  async rollbackToSavepoint(tx: Tx): Promise<void> {
    await sql`rollback to savepoint transit_settlement`.execute(tx);
  },

  terminal(db: DbOrTx, id: string) {
    return db.selectFrom('terminals').select(['id', 'code', 'kind', 'operator', 'location', 'disabled_at as disabledAt']).where('id', '=', id).executeTakeFirst();
  },

  /**
   * The seqs among these already stored for the terminal. A batch's seqs are nearly contiguous,
   * so one range scan of the primary key answers (a fresh batch finds nothing in its range),
   * instead of one index probe per seq; a sparse set falls back to the probes.
   */
  async existingSeqs(tx: Tx, terminalId: string, seqs: readonly number[]): Promise<Set<number>> {
    if (seqs.length === 0) return new Set();
    let low = seqs[0]!;
    let high = low;
    for (const seq of seqs) {
      if (seq < low) low = seq;
      if (seq > high) high = seq;
    }
    const wanted = new Set(seqs);
    const { rows } = high - low < 2 * seqs.length
      ? await sql<{ seq: number }>`select seq from transit_taps where terminal_id = ${terminalId} and seq between ${low} and ${high}`.execute(tx)
      : await sql<{ seq: number }>`select seq from transit_taps where terminal_id = ${terminalId} and seq = any(${plainArrayLiteral(seqs)}::bigint[])`.execute(tx);
    return new Set(rows.map((r) => r.seq).filter((seq) => wanted.has(seq)));
  },
  async cardsByNo(tx: Tx, cardNos: readonly string[]): Promise<CardForSettlement[]> {
    if (cardNos.length === 0) return [];
    const { rows } = await sql<CardForSettlement>`
      select c.id, c.card_no as "cardNo", a.id as "purseId"
      from jsonb_array_elements_text(${json([...new Set(cardNos)])}::jsonb) as n(card_no)
      join cards c on c.card_no = n.card_no
      left join ledger_accounts a on a.owner_id = c.id and a.code = 'purse:' || c.id::text`.execute(tx);
    return rows;
  },

  /** Status events of those cards that were ever deny-listed (the others never flag AFTER_DENY), oldest first. */
  async deniedHistory(tx: Tx, cardIds: readonly string[]): Promise<StatusEventForSettlement[]> {
    if (cardIds.length === 0) return [];
    const { rows } = await sql<StatusEventForSettlement>`
      select e.card_id as "cardId", e.at, e.denied
      from card_status_events e
      where e.card_id in (select distinct d.card_id from card_status_events d where d.denied and d.card_id = any(${uuidArray(cardIds)}::uuid[]))
      order by e.card_id, e.version`.execute(tx);
    return rows;
  },

  /** Per card, the settled tap with the highest counter (its reported balance). */
  async lastTaps(tx: Tx, cardIds: readonly string[]): Promise<{ cardId: string; cardCounter: number; balanceAfterFen: number }[]> {
    if (cardIds.length === 0) return [];
    const { rows } = await sql<{ cardId: string; cardCounter: number; balanceAfterFen: number }>`
      select c.id as "cardId", t.card_counter as "cardCounter", t.balance_after_fen as "balanceAfterFen"
      from unnest(${uuidArray(cardIds)}::uuid[]) as c(id)
      cross join lateral (
        select card_counter, balance_after_fen from transit_taps
        where card_id = c.id and outcome = 'settled' order by card_counter desc limit 1
      ) t`.execute(tx);
    return rows;
  },

  /** The (card, counter) pairs among these that are already settled. */
  async settledCounters(tx: Tx, pairs: readonly { cardId: string; cardCounter: number }[]): Promise<Set<string>> {
    if (pairs.length === 0) return new Set();
    const { rows } = await sql<{ cardId: string; cardCounter: number }>`
      select t.card_id as "cardId", t.card_counter as "cardCounter"
      from jsonb_to_recordset(${json(pairs.map((p) => ({ c: p.cardId, n: p.cardCounter })))}::jsonb) as v(c uuid, n bigint)
      join transit_taps t on t.card_id = v.c and t.card_counter = v.n and t.outcome = 'settled'`.execute(tx);
    return new Set(rows.map((r) => `${r.cardId}:${r.cardCounter}`));
  },

  async actionsByIds(tx: Tx, ids: readonly string[]) {
    if (ids.length === 0) return [];
    const { rows } = await sql<{ id: string; cardId: string; kind: 'top_up' | 'extend'; amountFen: number | null; appliedAt: Date | null }>`
      select id, card_id as "cardId", kind, amount_fen as "amountFen", applied_at as "appliedAt"
      from transit_card_actions where id = any(${uuidArray(ids)}::uuid[])`.execute(tx);
    return rows;
  },

  async insertTaps(tx: Tx, terminalId: string, batchRowId: string, operator: string, settledAt: Date, taps: readonly TapRowToInsert[]): Promise<void> {
    if (taps.length === 0) return;
    // One text parameter of delimited rows: the cheapest form for the database to unpack (the
    // protocol keeps every text field printable, so no field can hold a separator).
    const rows = delimitedRows(taps.map((t) => [
      t.seq, t.cardNo, t.cardId, t.cardCounter, t.kind, t.amountFen, t.balanceAfterFen, t.at, delimitedList(t.appliedActionIds), t.outcome, t.code, delimitedList(t.flags),
      t.ledgerTransactionId, t.shortfallFen, t.purseEntryFen, t.purseAccountId,
      t.fare?.mode, t.fare?.category, t.fare?.lineType, t.fare?.distanceKm, t.fare?.fullFareFen, t.fare?.fareFen, t.fare?.rule, t.fare?.monthSpentBeforeFen,
      t.fare?.entryStation, t.fare?.exitStation,
    ]));
    await sql`
      insert into transit_taps (terminal_id, seq, batch_row_id, card_no, card_id, card_counter, kind, amount_fen, balance_after_fen, at,
                                applied_action_ids, outcome, code, flags, operator, ledger_transaction_id, shortfall_fen, purse_entry_fen, purse_account_id, settled_at,
                                fare_mode, fare_category, fare_line_type, fare_distance_km, fare_full_fen, fare_fen, fare_rule,
                                fare_month_spent_before_fen, fare_entry_station, fare_exit_station)
      select ${terminalId}::uuid, f[1]::bigint, ${batchRowId}::uuid, f[2], nullif(f[3], '')::uuid, f[4]::bigint, f[5], f[6]::bigint, f[7]::bigint, f[8]::timestamptz,
             coalesce(string_to_array(nullif(f[9], ''), ${ITEM_SEPARATOR}), '{}'), f[10], nullif(f[11], ''), coalesce(string_to_array(nullif(f[12], ''), ${ITEM_SEPARATOR}), '{}'),
             ${operator}, nullif(f[13], '')::uuid, f[14]::bigint, nullif(f[15], '')::bigint, nullif(f[16], '')::uuid, ${settledAt}::timestamptz,
             nullif(f[17], ''), nullif(f[18], ''), nullif(f[19], ''), nullif(f[20], '')::double precision, nullif(f[21], '')::bigint, nullif(f[22], '')::bigint,
             nullif(f[23], ''), nullif(f[24], '')::bigint, nullif(f[25], ''), nullif(f[26], '')
      from string_to_table(${rows}, ${ROW_SEPARATOR}) as r(line), string_to_array(r.line, ${FIELD_SEPARATOR}) as f`.execute(tx);
  },
  /** Marks actions applied (first confirmation wins); only an action of the tapped card counts. */
  async markActionsApplied(tx: Tx, terminalId: string, at: Date, applied: readonly { id: string; cardId: string; seq: number }[]): Promise<number> {
    if (applied.length === 0) return 0;
    const result = await sql`
      update transit_card_actions a set applied_at = ${at}::timestamptz, applied_terminal_id = ${terminalId}::uuid, applied_seq = v.s
      from jsonb_to_recordset(${json(applied.map((x) => ({ id: x.id, c: x.cardId, s: x.seq })))}::jsonb) as v(id uuid, c uuid, s bigint)
      where a.id = v.id and a.card_id = v.c and a.applied_at is null`.execute(tx);
    return Number(result.numAffectedRows ?? 0);
  },

  async terminalState(db: DbOrTx, terminalId: string) {
    return db.selectFrom('transit_terminal_state').selectAll().where('terminal_id', '=', terminalId).executeTakeFirst();
  },

  /**
   * The highest seq such that every seq from 1 to it is stored, starting from a known contiguous
   * prefix `from`: counts the run of consecutive seqs right after it (gaps-and-islands).
   */
  async contiguousSeq(tx: Tx, terminalId: string, from: number): Promise<number> {
    const { rows } = await sql<{ run: number }>`
      select count(*)::int8 as run from (
        select seq - row_number() over (order by seq) as grp from transit_taps where terminal_id = ${terminalId} and seq > ${from}
      ) s where grp = ${from}`.execute(tx);
    return from + (rows[0]?.run ?? 0);
  },

  async saveUploadState(tx: Tx, terminalId: string, state: { ackSeq: number; at: Date; batchRowId: string }): Promise<void> {
    await tx
      .insertInto('transit_terminal_state')
      .values({ terminal_id: terminalId, ack_seq: state.ackSeq, last_upload_at: state.at, last_batch_id: state.batchRowId })
      .onConflict((oc) => oc.column('terminal_id').doUpdateSet({ ack_seq: state.ackSeq, last_upload_at: state.at, last_batch_id: state.batchRowId }))
      .execute();
  },

  async saveDenyListPoll(db: DbOrTx, terminalId: string, version: number, at: Date): Promise<void> {
    await db
      .insertInto('transit_terminal_state')
      .values({ terminal_id: terminalId, deny_list_version: version, deny_list_polled_at: at })
      .onConflict((oc) => oc.column('terminal_id').doUpdateSet({ deny_list_version: version, deny_list_polled_at: at }))
      .execute();
  },

  async saveActionsPoll(db: DbOrTx, terminalId: string, at: Date): Promise<void> {
    await db
      .insertInto('transit_terminal_state')
      .values({ terminal_id: terminalId, actions_polled_at: at })
      .onConflict((oc) => oc.column('terminal_id').doUpdateSet({ actions_polled_at: at }))
      .execute();
  },

  insertBatch(tx: Tx, row: { id: string; terminalId: string; batchId: string; receivedAt: Date; records: number; accepted: number; duplicates: number; rejected: number; flagged: number; amountFen: number; ackSeq: number }) {
    return tx
      .insertInto('transit_batches')
      .values({
        id: row.id, terminal_id: row.terminalId, batch_id: row.batchId, received_at: row.receivedAt, records: row.records, accepted: row.accepted,
        duplicates: row.duplicates, rejected: row.rejected, flagged: row.flagged, amount_fen: row.amountFen, ack_seq: row.ackSeq,
      })
      .execute();
  },

  // ---- deny-lists ----

  async denyListHead(db: DbOrTx): Promise<number> {
    const { rows } = await sql<{ v: number }>`select coalesce(max(version), 0)::int8 as v from card_status_events`.execute(db);
    return rows[0]?.v ?? 0;
  },

  async eventsSince(db: DbOrTx, since: number, upTo: number): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*)::int8 as n from card_status_events where version > ${since} and version <= ${upTo}`.execute(db);
    return rows[0]?.n ?? 0;
  },

  /** Every card whose latest event (up to `upTo`) denies it. */
  async deniedCards(db: DbOrTx, upTo: number): Promise<string[]> {
    const { rows } = await sql<{ cardNo: string }>`
      select card_no as "cardNo" from (
        select distinct on (card_id) card_no, denied from card_status_events where version <= ${upTo} order by card_id, version desc
      ) latest where denied order by card_no`.execute(db);
    return rows.map((r) => r.cardNo);
  },

  /** Cards whose denied state differs between version `since` and `upTo`. */
  async deniedChanges(db: DbOrTx, since: number, upTo: number): Promise<{ cardNo: string; denied: boolean }[]> {
    const { rows } = await sql<{ cardNo: string; denied: boolean }>`
      with changed as (select distinct card_id from card_status_events where version > ${since} and version <= ${upTo}),
      now as (
        select distinct on (e.card_id) e.card_id, e.card_no, e.denied from card_status_events e join changed using (card_id)
        where e.version <= ${upTo} order by e.card_id, e.version desc
      ),
      before as (
        select distinct on (e.card_id) e.card_id, e.denied from card_status_events e join changed using (card_id)
        where e.version <= ${since} order by e.card_id, e.version desc
      )
      select now.card_no as "cardNo", now.denied from now left join before using (card_id)
      where now.denied <> coalesce(before.denied, false)
      order by now.card_no`.execute(db);
    return rows;
  },

  // ---- action lists ----

  /** The next action-list position, under a lock held until commit (gap-free in commit order). */
  async nextActionPosition(tx: Tx): Promise<number> {
    await sql`select pg_advisory_xact_lock(hashtextextended('transit:card-actions', 0))`.execute(tx);
    const { rows } = await sql<{ p: number }>`select coalesce(max(position), 0)::int8 + 1 as p from transit_card_actions`.execute(tx);
    return rows[0]?.p ?? 1;
  },

  insertAction(tx: Tx, row: { id: string; position: number; cardId: string; cardNo: string; kind: 'top_up' | 'extend'; amountFen: number | null; validUntil: string | null; source: string; createdAt: Date }) {
    return tx
      .insertInto('transit_card_actions')
      .values({
        id: row.id, position: row.position, card_id: row.cardId, card_no: row.cardNo, kind: row.kind, amount_fen: row.amountFen, valid_until: row.validUntil,
        source: row.source, created_at: row.createdAt,
      })
      .onConflict((oc) => oc.column('source').doNothing())
      .returning('id')
      .executeTakeFirst();
  },

  actionBySource(db: DbOrTx, source: string) {
    return db.selectFrom('transit_card_actions').select(['id', 'position']).where('source', '=', source).executeTakeFirst();
  },

  pendingActions(db: DbOrTx, after: number, limit: number) {
    return db
      .selectFrom('transit_card_actions')
      .select(['id', 'position', 'card_no as cardNo', 'kind', 'amount_fen as amountFen', 'valid_until as validUntil'])
      .where('applied_at', 'is', null)
      .where('withdrawn_at', 'is', null)
      .where('position', '>', after)
      .orderBy('position')
      .limit(limit)
      .execute();
  },

  /** Top-ups paid online and not yet written to the card by a tap. */
  async pendingTopUpFen(db: DbOrTx, cardId: string): Promise<number> {
    const { rows } = await sql<{ fen: number }>`
      select coalesce(sum(amount_fen), 0)::int8 as fen from transit_card_actions
      where card_id = ${cardId} and kind = 'top_up' and applied_at is null and withdrawn_at is null`.execute(db);
    return rows[0]?.fen ?? 0;
  },
  /** Withdraws the card's entries no terminal has applied; returns them. */
  async withdrawActions(tx: Tx, cardId: string, at: Date, reason: FinalStatus) {
    return tx
      .updateTable('transit_card_actions')
      .set({ withdrawn_at: at, withdrawn_reason: reason })
      .where('card_id', '=', cardId)
      .where('applied_at', 'is', null)
      .where('withdrawn_at', 'is', null)
      .returning(['id', 'kind', 'amount_fen as amountFen', 'valid_until as validUntil'])
      .execute();
  },
  async actionHead(db: DbOrTx): Promise<number> {
    const { rows } = await sql<{ p: number }>`select coalesce(max(position), 0)::int8 as p from transit_card_actions`.execute(db);
    return rows[0]?.p ?? 0;
  },

  // ---- reports ----

  /**
   * Per card with taps: the shadow purse balance, the balance the card reported at its highest
   * counter, top-ups not yet written to the card, missing counters and the last tap time.
   */
  async cardReconciliation(db: DbOrTx, options: { staleBefore: Date; limit: number }) {
    const { rows } = await sql<{
      cardId: string; cardNo: string; status: string; tapCount: number; minCounter: number; maxCounter: number; reportedBalanceFen: number; lastTapAt: Date;
      shadowBalanceFen: number; unappliedTopUpFen: number; suspenseFen: number;
    }>`
      with per_card as (
        select card_id, count(*)::int8 as taps, min(card_counter)::int8 as min_counter, max(card_counter)::int8 as max_counter,
               max(at) as last_at, sum(shortfall_fen)::int8 as suspense
        from transit_taps where outcome = 'settled' group by card_id
      ), last_tap as (
        select distinct on (card_id) card_id, balance_after_fen from transit_taps where outcome = 'settled' order by card_id, card_counter desc
      ), unapplied as (
        select card_id, sum(amount_fen)::int8 as fen from transit_card_actions
        where applied_at is null and withdrawn_at is null and kind = 'top_up' group by card_id
      ), report as (
        select c.id as "cardId", c.card_no as "cardNo", c.status, p.taps as "tapCount", p.min_counter as "minCounter", p.max_counter as "maxCounter",
               l.balance_after_fen as "reportedBalanceFen", p.last_at as "lastTapAt",
               (a.credits_posted_fen - a.debits_posted_fen)::int8 as "shadowBalanceFen",
               coalesce(u.fen, 0)::int8 as "unappliedTopUpFen", p.suspense as "suspenseFen"
        from per_card p
        join cards c on c.id = p.card_id
        join last_tap l on l.card_id = p.card_id
        left join ledger_accounts a on a.code = 'purse:' || c.id::text
        left join unapplied u on u.card_id = p.card_id
      )
      select * from report
      where "shadowBalanceFen" <> "reportedBalanceFen" + "unappliedTopUpFen"
         or "maxCounter" - "minCounter" + 1 <> "tapCount"
         or ("lastTapAt" < ${options.staleBefore}::timestamptz and status = 'active')
      order by "cardNo"
      limit ${options.limit}`.execute(db);
    return rows;
  },

  async terminals(db: DbOrTx) {
    const { rows } = await sql<{
      id: string; code: string; kind: string; operator: string; location: string | null; disabledAt: Date | null; lastSeenAt: Date | null;
      ackSeq: number | null; lastUploadAt: Date | null; denyListVersion: number | null; denyListPolledAt: Date | null; settledTaps: number;
    }>`
      select t.id, t.code, t.kind, t.operator, t.location, t.disabled_at as "disabledAt", t.last_seen_at as "lastSeenAt",
             s.ack_seq as "ackSeq", s.last_upload_at as "lastUploadAt", s.deny_list_version as "denyListVersion", s.deny_list_polled_at as "denyListPolledAt",
             coalesce((select sum(accepted) from transit_batches b where b.terminal_id = t.id), 0)::int8 as "settledTaps"
      from terminals t left join transit_terminal_state s on s.terminal_id = t.id
      order by t.code`.execute(db);
    return rows;
  },

  async trips(db: DbOrTx, cardId: string, page: { limit: number; before: number | null }) {
    const { rows } = await sql<{
      seq: number; terminalCode: string; kind: TransitTapsTable['kind']; cardCounter: number; amountFen: number; balanceAfterFen: number; at: Date; fare: Record<string, unknown> | null; flags: string[]; operator: string;
    }>`
      select t.seq, te.code as "terminalCode", t.kind, t.card_counter as "cardCounter", t.amount_fen as "amountFen", t.balance_after_fen as "balanceAfterFen",
             t.at, ${fareObject} as fare, t.flags, t.operator
      from transit_taps t join terminals te on te.id = t.terminal_id
      where t.card_id = ${cardId} and t.outcome = 'settled' and (${page.before}::int8 is null or t.card_counter < ${page.before}::int8)
      order by t.card_counter desc
      limit ${page.limit}`.execute(db);
    return rows;
  },

  async railSpend(db: DbOrTx, cardId: string, from: Date, to: Date): Promise<{ spentFen: number; rides: number }> {
    const { rows } = await sql<{ spentFen: number; rides: number }>`
      select coalesce(sum(amount_fen), 0)::int8 as "spentFen", count(*)::int8 as rides
      from transit_taps
      where card_id = ${cardId} and outcome = 'settled' and kind = 'rail_exit' and at >= ${from}::timestamptz and at < ${to}::timestamptz`.execute(db);
    return rows[0] ?? { spentFen: 0, rides: 0 };
  },
};
