import { sql, type Kysely } from 'kysely';

/**
 * 红字发票: a refund of a top-up after its e-invoice was issued cancels that much of the invoice
 * with a red-letter invoice (partial red-letter, as fully digital invoices allow), one per
 * refund, naming the blue invoice it reduces. The blue invoice is never changed.
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
  `.execute(db);
}
