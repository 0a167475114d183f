import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/**
 * Migration 0020 adds red-letter invoices, and gives one to every refund made after its order's
 * invoice before it existed: an operator refund or a card return's share, not a late payment's
 * refund, and not a refund made before the invoice (the invoice was issued for what was left).
 */

let handle: DatabaseHandle;
const orderId = newId();
const invoiceId = newId();
const refunds = { before: newId(), afterOperator: newId(), afterCardReturn: newId(), latePayment: newId() };

beforeAll(async () => {
  handle = await createTestDatabaseBefore('0020-red-letter-invoices');
  const db = handle.db;
  const schoolId = newId();
  const studentId = newId();
  await sql`insert into schools (id, code, name, stage) values (${schoolId}::uuid, 'MIG-0020', '迁移测试学校', 'primary')`.execute(db);
  await sql`insert into students (id, education_id, name, gender, birth_date, id_number, school_id, stage, updated_at)
    values (${studentId}::uuid, '39002000', '迁移', 'M', '2015-03-12', ${makeIdNumber({ areaCode: '110108', birthDate: '2015-03-12', sequence: 1, gender: 'M' })}, ${schoolId}::uuid, 'primary', now())`.execute(db);
  await sql`insert into payment_orders (id, order_no, kind, student_id, created_by_role, created_by, amount_fen, item, status, gateway, gateway_trade_no, paid_at, refunded_fen, expires_at, created_at, updated_at)
    values (${orderId}::uuid, ${'0'.repeat(31)}, 'top_up', ${studentId}::uuid, 'student', ${studentId}::uuid, 10000, '{}'::jsonb, 'fulfilled', 'alipay', 'T1',
      '2027-03-01T02:00:00Z', 6000, '2027-03-01T02:30:00Z', '2027-03-01T02:00:00Z', '2027-03-01T02:00:00Z')`.execute(db);
  await sql`insert into payment_invoices (id, order_id, invoice_no, title, amount_fen, requested_by_role, requested_by, issued_at)
    values (${invoiceId}::uuid, ${orderId}::uuid, '20270302000000000001', '迁移', 9000, 'student', ${studentId}::uuid, '2027-03-02T02:00:00Z')`.execute(db);
  const refund = (id: string, reason: string, amountFen: number, at: string) => sql`
    insert into payment_refunds (id, order_id, gateway, trade_no, out_request_no, amount_fen, reason, status, requested_by, created_at, updated_at)
    values (${id}::uuid, ${orderId}::uuid, 'alipay', 'T1', ${id.replaceAll('-', '')}, ${amountFen}, ${reason}, 'succeeded', 'operator:x', ${at}::timestamptz, ${at}::timestamptz)`.execute(db);
  await refund(refunds.before, 'operator', 1000, '2027-03-01T03:00:00Z');
  await refund(refunds.afterOperator, 'operator', 2000, '2027-03-03T17:30:00Z');
  await refund(refunds.afterCardReturn, 'balance_refund', 3000, '2027-03-04T02:00:00Z');
  await refund(refunds.latePayment, 'late_payment', 500, '2027-03-05T02:00:00Z');
  await migrateToLatest(db);
}, 60_000);
afterAll(async () => handle.close());

describe('migration 0020: red-letter invoices for refunds made before it', () => {
  it('issues one for each operator or card-return refund after the invoice, at the refund time, numbered by its Beijing date', async () => {
    const reds = await handle.db.selectFrom('payment_red_invoices').selectAll().where('invoice_id', '=', invoiceId).orderBy('issued_at').execute();
    expect(reds.map((r) => [r.refund_id, r.amount_fen, r.issued_at.toISOString()])).toEqual([
      [refunds.afterOperator, 2000, '2027-03-03T17:30:00.000Z'],
      [refunds.afterCardReturn, 3000, '2027-03-04T02:00:00.000Z'],
    ]);
    // 17:30 UTC on 3 March is 01:30 on 4 March in Beijing.
    expect(reds.map((r) => r.invoice_no.slice(0, 8))).toEqual(['20270304', '20270304']);
    for (const red of reds) expect(red.invoice_no).toMatch(/^\d{20}$/);
    expect(new Set(reds.map((r) => r.invoice_no)).size).toBe(2);
  });
});
