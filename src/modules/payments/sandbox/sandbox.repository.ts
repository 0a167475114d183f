import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTx } from '../../../platform/db/database.js';
import type { GatewayName, SandboxAgreementsTable, SandboxNotificationsTable, SandboxPaymentsTable, SandboxRefundsTable } from '../payments.tables.js';

export type SandboxPaymentRow = Selectable<SandboxPaymentsTable>;
export type SandboxAgreementRow = Selectable<SandboxAgreementsTable>;
export type SandboxNotificationRow = Selectable<SandboxNotificationsTable>;
export type SandboxRefundRow = Selectable<SandboxRefundsTable>;

/** The only SQL of the sandbox gateway: its own tables, never the merchant's. */
export const sandboxRepository = {
  /** Keeps a bill file as it was answered (its hash), for its download; files older than a day are dropped. */
  async insertBillFile(db: DbOrTx, file: { id: string; gateway: GatewayName; billDate: string; bytes: Uint8Array; at: Date }): Promise<void> {
    await db.deleteFrom('sandbox_bill_files').where('created_at', '<', new Date(file.at.getTime() - 86_400_000)).execute();
    await db.insertInto('sandbox_bill_files').values({ id: file.id, gateway: file.gateway, bill_date: file.billDate, bytes: Buffer.from(file.bytes), created_at: file.at }).execute();
  },

  async findBillFile(db: DbOrTx, id: string, gateway: GatewayName, billDate: string): Promise<Uint8Array | undefined> {
    const row = await db.selectFrom('sandbox_bill_files').select('bytes').where('id', '=', id).where('gateway', '=', gateway).where('bill_date', '=', billDate).executeTakeFirst();
    return row ? new Uint8Array(row.bytes) : undefined;
  },

  findPayment(db: DbOrTx, id: string): Promise<SandboxPaymentRow | undefined> {
    return db.selectFrom('sandbox_payments').selectAll().where('id', '=', id).executeTakeFirst();
  },

  lockPayment(db: DbOrTx, id: string): Promise<SandboxPaymentRow | undefined> {
    return db.selectFrom('sandbox_payments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  findByOutTradeNo(db: DbOrTx, gateway: GatewayName, merchantId: string, outTradeNo: string): Promise<SandboxPaymentRow | undefined> {
    return db.selectFrom('sandbox_payments').selectAll().where('gateway', '=', gateway).where('merchant_id', '=', merchantId).where('out_trade_no', '=', outTradeNo).executeTakeFirst();
  },

  lockByOutTradeNo(db: DbOrTx, gateway: GatewayName, merchantId: string, outTradeNo: string): Promise<SandboxPaymentRow | undefined> {
    return db.selectFrom('sandbox_payments').selectAll().where('gateway', '=', gateway).where('merchant_id', '=', merchantId).where('out_trade_no', '=', outTradeNo).forUpdate().executeTakeFirst();
  },

  /** Inserts unless the merchant's out_trade_no exists already; true when inserted. */
  async insertPaymentIfAbsent(db: DbOrTx, row: Insertable<SandboxPaymentsTable>): Promise<boolean> {
    const inserted = await db.insertInto('sandbox_payments').values(row).onConflict((oc) => oc.columns(['gateway', 'merchant_id', 'out_trade_no']).doNothing()).returning('id').executeTakeFirst();
    return inserted !== undefined;
  },

  async updatePayment(db: DbOrTx, id: string, change: Updateable<SandboxPaymentsTable>): Promise<void> {
    await db.updateTable('sandbox_payments').set(change).where('id', '=', id).execute();
  },

  findRefund(db: DbOrTx, paymentId: string, outRequestNo: string): Promise<SandboxRefundRow | undefined> {
    return db.selectFrom('sandbox_refunds').selectAll().where('sandbox_payment_id', '=', paymentId).where('out_request_no', '=', outRequestNo).executeTakeFirst();
  },

  /** A WeChat Pay refund by its refund_id, among the merchant's trades. */
  findRefundByNo(db: DbOrTx, merchantId: string, refundNo: string): Promise<SandboxRefundRow | undefined> {
    return db.selectFrom('sandbox_refunds as r').innerJoin('sandbox_payments as p', 'p.id', 'r.sandbox_payment_id').selectAll('r')
      .where('p.gateway', '=', 'wechat').where('p.merchant_id', '=', merchantId).where('r.refund_no', '=', refundNo).executeTakeFirst();
  },

  /** A WeChat Pay refund by our out_refund_no, among the merchant's trades (查询单笔退款). */
  findRefundByOutRequestNo(db: DbOrTx, merchantId: string, outRequestNo: string): Promise<SandboxRefundRow | undefined> {
    return db.selectFrom('sandbox_refunds as r').innerJoin('sandbox_payments as p', 'p.id', 'r.sandbox_payment_id').selectAll('r')
      .where('p.gateway', '=', 'wechat').where('p.merchant_id', '=', merchantId).where('r.out_request_no', '=', outRequestNo).executeTakeFirst();
  },

  lockRefund(db: DbOrTx, id: string): Promise<SandboxRefundRow | undefined> {
    return db.selectFrom('sandbox_refunds').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  async updateRefund(db: DbOrTx, id: string, change: Updateable<SandboxRefundsTable>): Promise<void> {
    await db.updateTable('sandbox_refunds').set(change).where('id', '=', id).execute();
  },

  async insertRefund(db: DbOrTx, row: Insertable<SandboxRefundsTable>): Promise<void> {
    await db.insertInto('sandbox_refunds').values(row).execute();
  },

  async insertNotification(db: DbOrTx, row: Insertable<SandboxNotificationsTable>): Promise<void> {
    await db.insertInto('sandbox_notifications').values(row).execute();
  },

  findNotification(db: DbOrTx, id: string): Promise<SandboxNotificationRow | undefined> {
    return db.selectFrom('sandbox_notifications').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async updateNotification(db: DbOrTx, id: string, change: Updateable<SandboxNotificationsTable>): Promise<void> {
    await db.updateTable('sandbox_notifications').set(change).where('id', '=', id).execute();
  },

  notificationsOf(db: DbOrTx, paymentId: string): Promise<SandboxNotificationRow[]> {
    return db.selectFrom('sandbox_notifications').selectAll().where('sandbox_payment_id', '=', paymentId).orderBy('created_at').execute();
  },

  /** The merchant's trades paid within [from, to): the payment lines of its daily bill. */
  paidBetween(db: DbOrTx, gateway: GatewayName, merchantId: string, from: Date, to: Date): Promise<SandboxPaymentRow[]> {
    return db.selectFrom('sandbox_payments').selectAll().where('gateway', '=', gateway).where('merchant_id', '=', merchantId)
      .where('paid_at', '>=', from).where('paid_at', '<', to).orderBy('paid_at').orderBy('id').execute();
  },

  /** The merchant's refunds started within [from, to), with their trades: the refund lines of its daily bill. */
  refundsBetween(db: DbOrTx, gateway: GatewayName, merchantId: string, from: Date, to: Date) {
    return db.selectFrom('sandbox_refunds as r').innerJoin('sandbox_payments as p', 'p.id', 'r.sandbox_payment_id')
      .select(['r.out_request_no', 'r.refund_no', 'r.amount_fen', 'r.created_at', 'r.succeeded_at', 'r.failed_status', 'p.trade_no', 'p.out_trade_no', 'p.amount_fen as trade_amount_fen', 'p.subject', 'p.payee', 'p.app_id', 'p.created_at as trade_created_at'])
      .where('p.gateway', '=', gateway).where('p.merchant_id', '=', merchantId).where('r.created_at', '>=', from).where('r.created_at', '<', to)
      .orderBy('r.created_at').orderBy('r.id').execute();
  },

  /** Inserts unless the app has an agreement with that signing number, product and scene already. */
  async insertAgreementIfAbsent(db: DbOrTx, row: Insertable<SandboxAgreementsTable>): Promise<void> {
    await db.insertInto('sandbox_agreements').values(row).onConflict((oc) => oc.columns(['app_id', 'external_agreement_no', 'personal_product_code', 'sign_scene']).doNothing()).execute();
  },

  findAgreement(db: DbOrTx, id: string): Promise<SandboxAgreementRow | undefined> {
    return db.selectFrom('sandbox_agreements').selectAll().where('id', '=', id).executeTakeFirst();
  },

  lockAgreement(db: DbOrTx, id: string): Promise<SandboxAgreementRow | undefined> {
    return db.selectFrom('sandbox_agreements').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  lockAgreementByExternalNo(db: DbOrTx, key: AgreementKey): Promise<SandboxAgreementRow | undefined> {
    return agreementByExternalNo(db, key).forUpdate().executeTakeFirst();
  },

  findAgreementByExternalNo(db: DbOrTx, key: AgreementKey): Promise<SandboxAgreementRow | undefined> {
    return agreementByExternalNo(db, key).executeTakeFirst();
  },

  findAgreementByNo(db: DbOrTx, appId: string, agreementNo: string): Promise<SandboxAgreementRow | undefined> {
    return db.selectFrom('sandbox_agreements').selectAll().where('app_id', '=', appId).where('agreement_no', '=', agreementNo).executeTakeFirst();
  },

  lockAgreementByNo(db: DbOrTx, appId: string, agreementNo: string): Promise<SandboxAgreementRow | undefined> {
    return db.selectFrom('sandbox_agreements').selectAll().where('app_id', '=', appId).where('agreement_no', '=', agreementNo).forUpdate().executeTakeFirst();
  },

  async updateAgreement(db: DbOrTx, id: string, change: Updateable<SandboxAgreementsTable>): Promise<void> {
    await db.updateTable('sandbox_agreements').set(change).where('id', '=', id).execute();
  },

  /** Sets the test switch on the agreement with that number; false when there is none. */
  async setWithholdingFails(db: DbOrTx, agreementNo: string, fails: boolean): Promise<boolean> {
    const updated = await db.updateTable('sandbox_agreements').set({ withholding_fails: fails }).where('agreement_no', '=', agreementNo).returning('id').executeTakeFirst();
    return updated !== undefined;
  },
};

/** What names an agreement on the merchant's side: its app, its 商户签约号, the product and the scene. */
export interface AgreementKey {
  appId: string;
  externalAgreementNo: string;
  personalProductCode: string;
  signScene: string;
}

function agreementByExternalNo(db: DbOrTx, key: AgreementKey) {
  return db.selectFrom('sandbox_agreements').selectAll().where('app_id', '=', key.appId).where('external_agreement_no', '=', key.externalAgreementNo)
    .where('personal_product_code', '=', key.personalProductCode).where('sign_scene', '=', key.signScene);
}
