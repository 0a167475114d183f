import { sql, type Kysely } from 'kysely';

/**
 * 红字发票: a refund of a top-up after its e-invoice was issued cancels that much of the invoice
 * with a red-letter invoice (partial red-letter, as fully digital invoices allow), one per
 * refund, naming the blue invoice it reduces. The blue invoice is never changed.
 *
 * Refunds made after their invoice before this migration get theirs too, issued at the refund's
 * time, numbered as the app numbers invoices (the Beijing date and 12 digits, here derived from the
 * refund's id so that the number is fixed), with an id derived the same way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table payment_red_invoices (
      id uuid primary key,
      invoice_id uuid not null references payment_invoices(id),
      refund_id uuid not null unique references payment_refunds(id),
      invoice_no text not null unique,
      amount_fen bigint not null check (amount_fen > 0),
      issued_at timestamptz not null
    );
    create index payment_red_invoices_invoice on payment_red_invoices (invoice_id, issued_at);

    insert into payment_red_invoices (id, invoice_id, refund_id, invoice_no, amount_fen, issued_at)
    select md5('red-letter:' || r.id::text)::uuid, i.id, r.id,
      to_char(r.created_at at time zone 'Asia/Shanghai', 'YYYYMMDD')
        || lpad(((('x' || substr(md5(r.id::text), 1, 10))::bit(40)::bigint) % 1000000000000)::text, 12, '0'),
      r.amount_fen, r.created_at
    from payment_refunds r
    join payment_invoices i on i.order_id = r.order_id
    where r.reason in ('operator', 'balance_refund') and r.created_at > i.issued_at;
  `.execute(db);
}
