import type { ColumnType } from 'kysely';

/** Kysely table types of campus payments (merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** 消费认证码: a single-use code the app shows for a minute; the canteen POS scans it. */
export interface CampusPaymentCodesTable {
  code: string;
  card_id: string;
  student_id: string;
  issued_at: Timestamp;
  expires_at: Timestamp;
  used_at: Timestamp | null;
}

/** A canteen purchase, once per (terminal, the POS's own purchase id). */
export interface CampusPurchasesTable {
  id: string;
  terminal_id: string;
  pos_purchase_id: string;
  card_id: string;
  student_id: string;
  method: 'card' | 'payment_code';
  amount_fen: number;
  /** The purse's available balance right after this purchase: what the receipt prints, on every retry too. */
  balance_after_fen: number;
  pin_checked: boolean;
  merchant: string;
  ledger_transaction_id: string;
  at: Timestamp;
}

export interface CampusTables {
  campus_payment_codes: CampusPaymentCodesTable;
  campus_purchases: CampusPurchasesTable;
}
