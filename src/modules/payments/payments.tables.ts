import type { ColumnType, Generated } from 'kysely';

/** Kysely table types of payments (merged into the Database interface in src/platform/db/schema.ts). */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedAt = ColumnType<Date, Date | string, never>;
/** Written as serialised JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export type GatewayName = 'alipay' | 'wechat';
/** A card's top-up, a fee, or a top-up of a student's campus network account (no card). */
export type OrderKind = 'top_up' | 'fee' | 'network_top_up' | 'school_bill';
export type OrderStatus = 'created' | 'paying' | 'paid' | 'fulfilled' | 'cancelled' | 'expired' | 'refunded';
export type NotificationOutcome = 'processed' | 'duplicate' | 'ignored' | 'rejected';
export type RefundReason = 'late_payment' | 'duplicate_payment' | 'operator' | 'balance_refund';
export type BalanceRefundStatus = 'refunding' | 'awaiting_outlet' | 'completed';

/** What the order page shows about the thing paid for (seed 000: 收费单位, 项目名称, 收费编码, 收费文件号). */
export interface OrderItem {
  name: string;
  projectName: string | null;
  feeCode: string | null;
  documentNo: string | null;
  payee: string;
}

export interface PaymentOrdersTable {
  id: string;
  order_no: string;
  kind: OrderKind;
  student_id: string;
  /** The card a top-up fills (null for fees). */
  card_id: ColumnType<string | null, string | null | undefined, string | null>;
  created_by_role: string;
  created_by: string;
  amount_fen: number;
  item: Json<OrderItem>;
  status: OrderStatus;
  gateway: GatewayName | null;
  gateway_trade_no: string | null;
  paid_at: Timestamp | null;
  refunded_fen: Generated<number>;
  expires_at: Timestamp;
  closed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PaymentAttemptsTable {
  id: string;
  order_id: string;
  gateway: GatewayName;
  cashier_url: string;
  /** Where the gateway's API was reached when the attempt began; later queries and refunds go there. */
  gateway_base_url: string;
  /** The notify_url the gateway was given; refunds of the trade name it too (null: attempts before 0021). */
  notify_url: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface GatewayNotificationsTable {
  id: string;
  gateway: GatewayName;
  notify_id: string | null;
  verified: boolean;
  outcome: NotificationOutcome;
  error_code: string | null;
  order_no: string | null;
  trade_no: string | null;
  amount_fen: number | null;
  raw_headers: Json<Record<string, string>>;
  raw_body: string;
  received_at: Timestamp;
}

export interface PaymentRefundsTable {
  id: string;
  order_id: string;
  gateway: GatewayName;
  trade_no: string;
  out_request_no: string;
  amount_fen: number;
  reason: RefundReason;
  /**
   * failed: the gateway gave up (WeChat ABNORMAL / CLOSED); the money stays reserved for an operator.
   * offline_due: WeChat paid it into the merchant's bank account (异常退款); the payer is owed it until the offline transfer is recorded.
   * superseded: a CLOSED refund asked again under a new number (the new row's replaces_refund_id).
   */
  status: RefundStatus;
  balance_refund_id: string | null;
  requested_by: string;
  gateway_refund_no: string | null;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
  /** When the gateway took the refund by its answer (Alipay gmt_refund_pay, WeChat create_time): the day whose bill lists it. */
  gateway_billed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** Why the gateway gave up on it (migration 0063). */
  gateway_failure: Optional<'ABNORMAL' | 'CLOSED'>;
  /** 异常退款: where an operator sent an ABNORMAL refund and WeChat accepted it; the bank and the card's last four digits only. */
  abnormal_route: Optional<AbnormalRefundRoute>;
  abnormal_bank_type: Optional<string>;
  abnormal_account_last4: Optional<string>;
  abnormal_applied_at: Optional<Date>;
  abnormal_applied_by: Optional<string>;
  /** The offline transfer to the payer of a refund paid into the merchant's bank account. */
  offline_reference: Optional<string>;
  offline_paid_at: Optional<Date>;
  offline_paid_by: Optional<string>;
  /** A CLOSED refund this one asks again. */
  replaces_refund_id: Optional<string>;
  /** A 异常退款 sent to WeChat and not answered yet (migration 0067): moved to abnormal_* when WeChat accepts it, dropped when it refuses. */
  abnormal_pending_route: Optional<AbnormalRefundRoute>;
  abnormal_pending_bank_type: Optional<string>;
  abnormal_pending_last4: Optional<string>;
  abnormal_pending_at: Optional<Date>;
  abnormal_pending_by: Optional<string>;
  /** WeChat reported the money paid where our accepted route did not send it (its user_received_account): nothing booked, for an operator. */
  route_conflict: Optional<string>;
}

export type RefundStatus = 'requested' | 'succeeded' | 'failed' | 'offline_due' | 'superseded';
export type AbnormalRefundRoute = 'user_bank_card' | 'merchant_bank_card';
/** A nullable column with a default of null on insert. */
type Optional<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface BalanceRefundsTable {
  id: string;
  student_id: string;
  purse_code: string;
  amount_fen: number;
  route: 'gateway' | 'outlet';
  status: BalanceRefundStatus;
  requested_by_role: string;
  requested_by: string;
  outlet: string | null;
  outlet_reference: string | null;
  completed_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
  completed_at: Timestamp | null;
}

export interface PaymentInvoicesTable {
  id: string;
  order_id: string;
  invoice_no: string;
  /** 发票抬头: a person's name or a company's. */
  title: string;
  /** 纳税人识别号, for a company title. */
  tax_id: string | null;
  amount_fen: number;
  requested_by_role: string;
  requested_by: string;
  issued_at: Timestamp;
}

/** 红字发票: cancels `amount_fen` of a blue invoice, for one refund made after it was issued. */
export interface PaymentRedInvoicesTable {
  id: string;
  invoice_id: string;
  refund_id: string;
  invoice_no: string;
  amount_fen: number;
  issued_at: Timestamp;
}

export interface PaymentReconciliationsTable {
  /** The Beijing day reconciled, 'YYYY-MM-DD'. */
  date: string;
  ran_at: Timestamp;
  report: Json<unknown>;
}

/** The sandbox gateway's side of a trade. */
export interface SandboxPaymentsTable {
  id: string;
  gateway: GatewayName;
  app_id: string;
  merchant_id: string;
  out_trade_no: string;
  trade_no: string;
  amount_fen: number;
  subject: string;
  payee: string;
  notify_url: string;
  return_url: string | null;
  /** cancelled: the payer walked away at the cashier (payable again); closed: the merchant closed the trade (never payable). */
  /** failed: a WeChat Pay 委托代扣 charge the payer's account could not pay (PAYERROR; migration 0049). */
  status: 'pending' | 'paid' | 'cancelled' | 'closed' | 'failed';
  refunded_fen: Generated<number>;
  created_at: CreatedAt;
  paid_at: Timestamp | null;
}

export interface SandboxRefundsTable {
  id: string;
  sandbox_payment_id: string;
  out_request_no: string;
  refund_no: string;
  amount_fen: number;
  /** Where the refund's outcome is notified (WeChat Pay), when the merchant gave one. */
  notify_url: ColumnType<string | null, string | null | undefined, string | null>;
  /** When the money went back; null while the refund is processing, or when it failed. */
  succeeded_at: Timestamp | null;
  /** WeChat Pay: the refund failed (ABNORMAL, CLOSED) and the money never left. */
  failed_status: ColumnType<'ABNORMAL' | 'CLOSED' | null, 'ABNORMAL' | 'CLOSED' | null | undefined, 'ABNORMAL' | 'CLOSED' | null>;
  /** WeChat Pay: the 异常退款 the merchant applied to an ABNORMAL refund (migration 0063). */
  abnormal_type: ColumnType<'USER_BANK_CARD' | 'MERCHANT_BANK_CARD' | null, 'USER_BANK_CARD' | 'MERCHANT_BANK_CARD' | null | undefined, 'USER_BANK_CARD' | 'MERCHANT_BANK_CARD' | null>;
  /** Where a 异常退款 paid the money, as WeChat's user_received_account says it (migration 0067). */
  received_account: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

/** A WeChat Pay bill as the sandbox answered its hash: the download serves these bytes. */
export interface SandboxBillFilesTable {
  id: string;
  gateway: GatewayName;
  bill_date: ColumnType<string, string, never>;
  bytes: Uint8Array;
  created_at: CreatedAt;
}

export interface SandboxNotificationsTable {
  id: string;
  /** The trade it reports, or (Alipay's dut_user_sign / dut_user_unsign) the agreement: one of the two. */
  sandbox_payment_id: string | null;
  sandbox_agreement_id: string | null;
  notify_id: string;
  url: string;
  headers: Json<Record<string, string>>;
  body: string;
  /** How many identical copies each delivery attempt sends at once (the "duplicate" test switch). */
  copies: Generated<number>;
  /** The "bad signature" test switch: each delivery's signature is corrupted. */
  tamper_signature: Generated<boolean>;
  attempts: Generated<number>;
  last_result: string | null;
  delivered_at: Timestamp | null;
  gave_up_at: Timestamp | null;
  created_at: CreatedAt;
}

/** The sandbox gateway's side of a 商户代扣 (withholding) agreement (migration 0039). */
export interface SandboxAgreementsTable {
  id: string;
  /** Which gateway keeps it (migration 0049): Alipay's agreement, or WeChat Pay's contract (app_id its mchid, personal_product_code its plan_id, sign_scene its scene). */
  gateway: Generated<GatewayName>;
  app_id: string;
  /** Issued when the user agrees ('20' and 18 digits); null while the agreement is TEMP. */
  agreement_no: string | null;
  external_agreement_no: string;
  personal_product_code: string;
  sign_scene: string;
  /** The user's account at the merchant, shown (masked) on the agreement page; optional, as at Alipay. */
  external_logon_id: string | null;
  /** TEMP: not yet agreed; NORMAL: in force; STOP: paused by the user; UNSIGN: ended. */
  status: 'TEMP' | 'NORMAL' | 'STOP' | 'UNSIGN';
  return_url: string | null;
  /** Where Alipay reports the agreement signed or ended (the signing link's notify_url, migration 0042). */
  notify_url: string | null;
  /** The agreement page's test switch: every withholding fails with ACQ.BUYER_BALANCE_NOT_ENOUGH. */
  withholding_fails: Generated<boolean>;
  created_at: CreatedAt;
  signed_at: Timestamp | null;
  unsigned_at: Timestamp | null;
}

/** 余额提醒: a parent's low-balance alert for a child (migration 0031). */
export interface BalanceAlertsTable {
  parent_id: string;
  student_id: string;
  threshold_fen: number;
  updated_at: Timestamp;
}

/** A card of the child that fell below the amount and was texted; gone once it is back at or above. */
export interface BalanceAlertTextsTable {
  parent_id: string;
  student_id: string;
  card_id: string;
  texted_at: Timestamp;
}

/** 消费提醒: a parent texted about the child's purchases and rides of at least an amount (migration 0035). */
export interface SpendNoticesTable {
  parent_id: string;
  student_id: string;
  min_amount_fen: number;
  /** What happened before this is never told. */
  armed_at: Timestamp;
  updated_at: Timestamp;
}

/** Per card of the child, how far the job has read: the last canteen purchase, the ride counter up to which every ride has arrived. */
export interface SpendNoticeMarksTable {
  parent_id: string;
  student_id: string;
  card_id: string;
  last_purchase_at: Timestamp | null;
  last_purchase_id: string | null;
  last_tap_counter: number | null;
}

export interface PaymentsTables {
  spend_notices: SpendNoticesTable;
  spend_notice_marks: SpendNoticeMarksTable;
  balance_alerts: BalanceAlertsTable;
  balance_alert_texts: BalanceAlertTextsTable;
  payment_orders: PaymentOrdersTable;
  payment_attempts: PaymentAttemptsTable;
  gateway_notifications: GatewayNotificationsTable;
  payment_refunds: PaymentRefundsTable;
  balance_refunds: BalanceRefundsTable;
  payment_invoices: PaymentInvoicesTable;
  payment_red_invoices: PaymentRedInvoicesTable;
  payment_reconciliations: PaymentReconciliationsTable;
  sandbox_payments: SandboxPaymentsTable;
  sandbox_refunds: SandboxRefundsTable;
  sandbox_notifications: SandboxNotificationsTable;
  sandbox_agreements: SandboxAgreementsTable;
  sandbox_bill_files: SandboxBillFilesTable;
}
