import type { ColumnType } from 'kysely';

/** Kysely table types of card services (merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string, never>;

/** The K-12 yearly extension window an operator sets per year (dates YYYY-MM-DD, Asia/Shanghai, inclusive). */
export interface CardExtensionWindowsTable {
  year: number;
  starts_on: string;
  ends_on: string;
  updated_by: string | null;
  updated_at: Timestamp;
}

/** One row per extension: a card is extended at most once per window year (unique card_id, window_year). */
export interface CardExtensionsTable {
  id: string;
  card_id: string;
  window_year: number;
  from_valid_until: string | null;
  to_valid_until: string;
  requested_by_role: string;
  requested_by: string | null;
  created_at: CreatedAt;
}

/** 退卡: one row per returned card, with the balance refund that paid it out (if any). */
export interface CardReturnsTable {
  id: string;
  card_id: string;
  balance_refund_id: string | null;
  refund_fen: number;
  refund_route: 'gateway' | 'outlet' | 'none';
  returned_by_role: string;
  returned_by: string | null;
  created_at: CreatedAt;
}

export type ExpiryReminderKind = 'expiring' | 'in_grace';

/** 到期提醒: a parent texted about a card's expiry, before it and in its grace period, once each per card and expiry date (migrations 0036, 0038). */
export interface ExpiryRemindersTable {
  card_id: string;
  valid_until: string;
  parent_id: string;
  kind: ColumnType<ExpiryReminderKind, ExpiryReminderKind | undefined, never>;
  texted_at: Timestamp;
}

export interface CardServicesTables {
  expiry_reminders: ExpiryRemindersTable;
  card_extension_windows: CardExtensionWindowsTable;
  card_extensions: CardExtensionsTable;
  card_returns: CardReturnsTable;
}
