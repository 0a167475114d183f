import { sql, type Kysely } from 'kysely';
import { seed003Models, seed003Requirements, seed003Version } from '../../../modules/ecards/seed-003-phones.js';

/**
 * Phone e-cards: K-12 NFC e-cards and university e-cards (helper F).
 * - The supported phones and the minimum versions are data (seed 003), editable by operators.
 * - The user agreement each opening accepted, and the real-name record it was opened with.
 * - Schools partnered with Yikatong for the university e-card (seed 003: "与…合作的各类学校").
 * - An interoperable (交通联合) card number is linked to at most one live university e-card.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table ecard_phone_models (
      id serial primary key,
      brand text not null check (brand in ('huawei','honor','xiaomi','apple')),
      name text not null,
      series boolean not null,
      source text not null,
      created_at timestamptz not null default now(),
      unique (brand, name)
    );

    create table ecard_phone_requirements (
      key text primary key check (key in ('app','huaweiWallet','xiaomiSmartCardStable','xiaomiSystemDev','ios')),
      min_version text not null check (min_version ~ '^[0-9]+(\\.[0-9]+)*$'),
      source text not null,
      updated_at timestamptz not null default now(),
      updated_by text
    );

    create table ecard_partner_schools (
      school_id uuid primary key references schools(id),
      partnered_since timestamptz not null,
      added_by text
    );

    create table ecard_applications (
      id uuid primary key,
      kind text not null check (kind in ('k12_open','k12_upgrade','phone_move','university_link','university_extend','university_return')),
      student_id uuid not null references students(id),
      card_id uuid not null references cards(id),
      previous_card_id uuid references cards(id),
      agreement_version text,
      accepted_at timestamptz,
      actor_role text not null,
      actor_id text,
      device jsonb,
      created_at timestamptz not null
    );
    create index ecard_applications_student on ecard_applications (student_id, created_at);

    create unique index cards_linked_card_live on cards (linked_card_no)
      where linked_card_no is not null and status in ('active','suspended','superseded');
  `.execute(db);

  for (const model of seed003Models) {
    await sql`insert into ecard_phone_models (brand, name, series, source) values (${model.brand}, ${model.name}, ${model.series}, ${seed003Version})`.execute(db);
  }
  for (const [key, minVersion] of Object.entries(seed003Requirements)) {
    await sql`insert into ecard_phone_requirements (key, min_version, source) values (${key}, ${minVersion}, ${seed003Version})`.execute(db);
  }
}
