import { sql, type Kysely } from 'kysely';

/** Terminals (bus validators, gates, POS) and their credentials; sessions may now be a terminal's. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table terminals (
      id uuid primary key,
      code text not null unique,
      kind text not null check (kind in ('bus_validator','rail_gate','pos','reader')),
      operator text not null,
      location text,
      secret_hash text not null,
      created_at timestamptz not null,
      disabled_at timestamptz,
      last_seen_at timestamptz
    );
    alter table sessions drop constraint sessions_login_kind_check;
    alter table sessions add constraint sessions_login_kind_check
      check (login_kind in ('student','parent','campus','staff','terminal'));
  `.execute(db);
}
