import type { ColumnType } from 'kysely';

/** Kysely table types of 自动充值 (migration 0040; merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export type AgreementStatus = 'signing' | 'active' | 'ended';

/** A parent's withholding agreement (支付宝商户代扣, or WeChat Pay's 委托代扣 contract: migration 0049), signed on the gateway's page. */
export interface PaymentAgreementsTable {
  id: string;
  parent_id: string;
  gateway: 'alipay' | 'wechat';
  /** Ours, sent when signing: how the gateway finds the agreement before we know its number. */
  external_agreement_no: string;
  /** The gateway's, once signed. */
  agreement_no: string | null;
  status: AgreementStatus;
  /** The gateway endpoint and our notify URL as they were when signing (the job has no request to take them from). */
  gateway_base_url: string;
  notify_url: string;
  created_at: Timestamp;
  signed_at: Timestamp | null;
  ended_at: Timestamp | null;
  /** When the parent asked to end it (before Alipay is asked to unsign it; migration 0044). */
  unsign_requested_at: Timestamp | null;
  /** Ended here while signing: when the job last asked the gateway whether it was signed there after all (migration 0054). */
  gateway_checked_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Ended here while signing: when the gateway's side became known (signed there and being unsigned, or ended there); nothing is asked after. */
  gateway_settled_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** A bound parent's auto top-up for one child: below threshold_fen, top up amount_fen. */
export interface AutoTopUpsTable {
  parent_id: string;
  student_id: string;
  threshold_fen: number;
  amount_fen: number;
  /** At most this much charged for the child in a Beijing month; null: no cap (migration 0043). */
  monthly_cap_fen: number | null;
  /** The Beijing month ('2026-12') the parent was last texted that the cap stopped a charge. */
  cap_texted_month: string | null;
  updated_at: Timestamp;
}

export type AutoTopUpRunStatus = 'charging' | 'paid' | 'failed';

/** One charge the job made (at most one per card and Beijing day). */
export interface AutoTopUpRunsTable {
  id: string;
  parent_id: string;
  student_id: string;
  card_id: string;
  day: string;
  agreement_id: string;
  order_id: string;
  threshold_fen: number;
  /** The card's available balance that started it. */
  balance_fen: number;
  status: AutoTopUpRunStatus;
  failure: string | null;
  created_at: Timestamp;
  finished_at: Timestamp | null;
  /** When the parent was texted of the outcome. */
  texted_at: Timestamp | null;
}

export interface AutoTopUpTables {
  payment_agreements: PaymentAgreementsTable;
  auto_top_ups: AutoTopUpsTable;
  auto_top_up_runs: AutoTopUpRunsTable;
}
