import { sql, type Kysely } from 'kysely';

/**
 * 学费及重修费缴费 (seed 004): a university's bills to its students — a year's tuition, or the fee
 * to retake a course — paid in the app from the campus card or through Alipay / WeChat Pay (an
 * order of kind `school_bill`). A student owes at most one live bill per item (the year's tuition,
 * a course's retake that year); a cancelled one makes room for its correction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table school_bills (
      id uuid primary key,
      school_id uuid not null references schools(id),
      student_id uuid not null references students(id),
      kind text not null check (kind in ('tuition','retake')),
      academic_year text not null check (academic_year ~ '^[0-9]{4}-[0-9]{4}$'),
      course text check (length(course) between 1 and 40),
      amount_fen bigint not null check (amount_fen between 100 and 10000000),
      due_date date not null,
      status text not null check (status in ('unpaid','paid','cancelled')),
      order_id uuid references payment_orders(id),
      paid_via text check (paid_via in ('order','campus_card')),
      -- Like the other modules' ledger ids, no foreign key: the ledger's append-only triggers guard
      -- its rows, and a key from outside would turn their refusal of TRUNCATE into a key error.
      ledger_transaction_id uuid,
      paid_at timestamptz,
      cancel_reason text check (length(cancel_reason) between 1 and 100),
      created_by_role text not null,
      created_by uuid, -- null when issued from the command line (onecard bills import)
      created_at timestamptz not null,
      updated_at timestamptz not null,
      check ((kind = 'retake') = (course is not null)),
      check ((status = 'paid') = (paid_at is not null and paid_via is not null)),
      check (paid_via is distinct from 'order' or order_id is not null),
      check (paid_via is distinct from 'campus_card' or ledger_transaction_id is not null),
      check ((status = 'cancelled') = (cancel_reason is not null))
    );
    create unique index school_bills_one_live_item on school_bills (student_id, kind, academic_year, coalesce(course, '')) where status <> 'cancelled';
    create unique index school_bills_order_key on school_bills (order_id) where order_id is not null;
    create index school_bills_school_idx on school_bills (school_id, created_at desc);
    create index school_bills_student_idx on school_bills (student_id, created_at desc);

    alter table payment_orders drop constraint payment_orders_kind_check;
    alter table payment_orders add constraint payment_orders_kind_check check (kind in ('top_up','fee','network_top_up','school_bill'));
  `.execute(db);
}
