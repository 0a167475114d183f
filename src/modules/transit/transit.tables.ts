import type { ColumnType } from 'kysely';
import type { FinalStatus } from '../../domain/card-lifecycle.js';

/** Kysely table types of transit (merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type TapOutcome = 'settled' | 'rejected';
export type TapRejectCode = 'TAC_INVALID' | 'CARD_UNKNOWN' | 'COUNTER_REPLAY';
export type TapFlagCode = 'COUNTER_GAP' | 'AFTER_DENY' | 'BALANCE_MISMATCH';

export interface TransitBatchesTable {
  id: string;
  terminal_id: string;
  batch_id: string;
  received_at: Timestamp;
  records: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  flagged: number;
  amount_fen: number;
  ack_seq: number;
}

/** One row per (terminal, seq): written in bulk by settle-batch.ts, never updated. */
export interface TransitTapsTable {
  terminal_id: string;
  seq: number;
  batch_row_id: string;
  card_no: string;
  card_id: string | null;
  card_counter: number;
  kind: 'bus' | 'rail_entry' | 'rail_exit' | 'pos';
  amount_fen: number;
  balance_after_fen: number;
  at: Timestamp;
  /** The fare breakdown the terminal priced the ride with (migration 0016): all null when it did not. */
  fare_mode: 'bus' | 'rail' | null;
  fare_category: string | null;
  fare_line_type: string | null;
  fare_distance_km: number | null;
  fare_full_fen: number | null;
  fare_fen: number | null;
  fare_rule: string | null;
  fare_month_spent_before_fen: number | null;
  fare_entry_station: string | null;
  fare_exit_station: string | null;
  applied_action_ids: ColumnType<string[], string[] | undefined, string[]>;
  outcome: TapOutcome;
  code: TapRejectCode | null;
  flags: ColumnType<TapFlagCode[], TapFlagCode[] | undefined, TapFlagCode[]>;
  operator: string;
  ledger_transaction_id: string | null;
  shortfall_fen: ColumnType<number, number | undefined, number>;
  /** What a settled tap took from its purse: the tap row is that ledger entry (migration 0017); null before 0017 and when nothing was taken. */
  purse_entry_fen: ColumnType<number | null, number | null | undefined, never>;
  /** The purse that entry debits (migration 0018): set exactly when `purse_entry_fen` is. */
  purse_account_id: ColumnType<string | null, string | null | undefined, never>;
  settled_at: Timestamp;
}

export interface TransitTerminalStateTable {
  terminal_id: string;
  ack_seq: ColumnType<number, number | undefined, number>;
  last_upload_at: Timestamp | null;
  last_batch_id: string | null;
  deny_list_version: number | null;
  deny_list_polled_at: Timestamp | null;
  actions_polled_at: Timestamp | null;
}

export interface TransitCardActionsTable {
  id: string;
  position: number;
  card_id: string;
  card_no: string;
  kind: 'top_up' | 'extend';
  amount_fen: number | null;
  /** YYYY-MM-DD (Asia/Shanghai, inclusive), read back as text. */
  valid_until: string | null;
  source: string;
  created_at: ColumnType<Date, Date | string, never>;
  applied_at: Timestamp | null;
  applied_terminal_id: string | null;
  applied_seq: number | null;
  /** Set when the card left service (returned, replaced, closed) before any terminal applied it, or never keeps its balance on the card (migration 0055). */
  withdrawn_at: Timestamp | null;
  withdrawn_reason: FinalStatus | 'not_on_card' | null;
}

export interface TransitTables {
  transit_batches: TransitBatchesTable;
  transit_taps: TransitTapsTable;
  transit_terminal_state: TransitTerminalStateTable;
  transit_card_actions: TransitCardActionsTable;
}
