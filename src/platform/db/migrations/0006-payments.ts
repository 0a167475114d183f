import { sql, type Kysely } from 'kysely';

/**
 * Payments: orders paid through Alipay / WeChat Pay, the attempts to pay them, every
 * notification a gateway sent (verified or not), refunds back through the gateway, balance
 * refunds, e-invoices, daily reconciliations, and the state of the in-process sandbox gateway (the stand-in for the real
 * gateways; see docs/decisions/0004-payments.md). Money itself moves only through the ledger.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table payment_orders (
      id uuid primary key,
      order_no text not null unique check (order_no ~ '^[0-9a-f]{31}$'),
      kind text not null check (kind in ('top_up','fee')),
      student_id uuid not null references students(id),
      created_by_role text not null,
      created_by uuid not null,
      amount_fen bigint not null check (amount_fen > 0),
      item jsonb not null,
      status text not null check (status in ('created','paying','paid','fulfilled','cancelled','expired','refunded')),
      gateway text check (gateway in ('alipay','wechat')),
      gateway_trade_no text,
      paid_at timestamptz,
      refunded_fen bigint not null default 0 check (refunded_fen >= 0 and refunded_fen <= amount_fen),
      expires_at timestamptz not null,
      closed_at timestamptz,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      unique (gateway, gateway_trade_no),
      check ((gateway_trade_no is null) = (status in ('created','paying','cancelled','expired')))
    );
    create index payment_orders_student_idx on payment_orders (student_id, created_at desc);
    create index payment_orders_due_idx on payment_orders (expires_at) where status in ('created','paying');

    create table payment_attempts (
      id uuid primary key,
      order_id uuid not null references payment_orders(id),
      gateway text not null check (gateway in ('alipay','wechat')),
      cashier_url text not null,
      gateway_base_url text not null,
      created_at timestamptz not null
    );
    create index payment_attempts_order_idx on payment_attempts (order_id, created_at);

    create table gateway_notifications (
      id uuid primary key,
      gateway text not null check (gateway in ('alipay','wechat')),
      notify_id text,
      verified boolean not null,
      outcome text not null check (outcome in ('processed','duplicate','ignored','rejected')),
      error_code text,
      order_no text,
      trade_no text,
      amount_fen bigint,
      raw_headers jsonb not null,
      raw_body text not null,
      received_at timestamptz not null,
      check (verified or outcome = 'rejected')
    );
    -- A notification is processed once: a retry or a concurrent copy finds this row and is a duplicate.
    create unique index gateway_notifications_once_idx on gateway_notifications (gateway, notify_id) where outcome = 'processed';
    create index gateway_notifications_received_idx on gateway_notifications (received_at);

    create table balance_refunds (
      id uuid primary key,
      student_id uuid not null references students(id),
      purse_code text not null,
      amount_fen bigint not null check (amount_fen > 0),
      route text not null check (route in ('gateway','outlet')),
      status text not null check (status in ('refunding','awaiting_outlet','completed')),
      requested_by_role text not null,
      requested_by uuid not null,
      outlet text,
      outlet_reference text,
      completed_by uuid,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      completed_at timestamptz
    );
    create index balance_refunds_student_idx on balance_refunds (student_id, created_at desc);

    create table payment_refunds (
      id uuid primary key,
      order_id uuid not null references payment_orders(id),
      gateway text not null check (gateway in ('alipay','wechat')),
      trade_no text not null,
      out_request_no text not null unique,
      amount_fen bigint not null check (amount_fen > 0),
      reason text not null check (reason in ('late_payment','duplicate_payment','operator','balance_refund')),
      status text not null check (status in ('requested','succeeded')),
      balance_refund_id uuid references balance_refunds(id),
      requested_by text not null,
      gateway_refund_no text,
      attempts int not null default 0,
      last_error text,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      completed_at timestamptz
    );
    create index payment_refunds_order_idx on payment_refunds (order_id);
    create index payment_refunds_pending_idx on payment_refunds (updated_at) where status = 'requested';
    -- Money that arrived for a closed or already-paid order is sent back once per gateway trade.
    create unique index payment_refunds_incoming_once_idx on payment_refunds (gateway, trade_no) where reason in ('late_payment','duplicate_payment');

    -- E-invoices for top-ups: one per order, requested from the day after payment for 180 days.
    create table payment_invoices (
      id uuid primary key,
      order_id uuid not null unique references payment_orders(id),
      invoice_no text not null unique,
      title text not null,
      tax_id text,
      amount_fen bigint not null check (amount_fen > 0),
      requested_by_role text not null,
      requested_by uuid not null,
      issued_at timestamptz not null
    );

    -- Daily reconciliation: the gateways' word, our orders and the ledger compared per Beijing day.
    create table payment_reconciliations (
      date date primary key,
      ran_at timestamptz not null,
      report jsonb not null
    );

    -- The sandbox gateway's own records: what Alipay or WeChat Pay would hold on their side.
    create table sandbox_payments (
      id uuid primary key,
      gateway text not null check (gateway in ('alipay','wechat')),
      app_id text not null,
      merchant_id text not null,
      out_trade_no text not null,
      trade_no text not null unique,
      amount_fen bigint not null check (amount_fen > 0),
      subject text not null,
      payee text not null,
      notify_url text not null,
      return_url text,
      status text not null check (status in ('pending','paid','cancelled')),
      refunded_fen bigint not null default 0 check (refunded_fen >= 0 and refunded_fen <= amount_fen),
      created_at timestamptz not null,
      paid_at timestamptz,
      unique (gateway, merchant_id, out_trade_no)
    );

    create table sandbox_refunds (
      id uuid primary key,
      sandbox_payment_id uuid not null references sandbox_payments(id),
      out_request_no text not null,
      refund_no text not null unique,
      amount_fen bigint not null check (amount_fen > 0),
      created_at timestamptz not null,
      unique (sandbox_payment_id, out_request_no)
    );

    create table sandbox_notifications (
      id uuid primary key,
      sandbox_payment_id uuid not null references sandbox_payments(id),
      notify_id text not null,
      url text not null,
      headers jsonb not null,
      body text not null,
      copies int not null default 1 check (copies between 1 and 50),
      tamper_signature boolean not null default false,
      attempts int not null default 0,
      last_result text,
      delivered_at timestamptz,
      gave_up_at timestamptz,
      created_at timestamptz not null
    );
    create index sandbox_notifications_payment_idx on sandbox_notifications (sandbox_payment_id);
  `.execute(db);
}
