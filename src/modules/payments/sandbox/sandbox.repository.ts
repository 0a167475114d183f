import type { Insertable, Selectable, Updateable } from 'kysely';
import type { DbOrTx } from '../../../platform/db/database.js';
import type { GatewayName, SandboxNotificationsTable, SandboxPaymentsTable, SandboxRefundsTable } from '../payments.tables.js';

export type SandboxPaymentRow = Selectable<SandboxPaymentsTable>;
export type SandboxNotificationRow = Selectable<SandboxNotificationsTable>;
export type SandboxRefundRow = Selectable<SandboxRefundsTable>;

/** The only SQL of the sandbox gateway: its own tables, never the merchant's. */
export const sandboxRepository = {
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
};
