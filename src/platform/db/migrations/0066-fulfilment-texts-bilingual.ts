import { sql, type Kysely } from 'kysely';

/**
 * Parcel tracking and progress notes in the reader's language (docs/cards.md, "Delivery tracking"):
 *
 * - `deliveries.events[].description` was one 'zh / en' text ('快递员已揽收 / picked up by the
 *   courier'); it becomes `{ zh, en }`, split at the first ' / ' (the English capitalised), or the
 *   same text in both when it has no English half.
 * - `card_application_steps.note_en`: the English of a note the server wrote (配送到家 → 'Sent home
 *   by courier'); null when the note reads the same in both (a batch number, staff's own words).
 *   The server's fixed notes get their English, and a courier note ('sandbox SB…：zh / en') names the
 *   courier as families read it ('模拟快递 SB…：…', 'Sandbox courier SB…: …').
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table card_application_steps add column note_en text`.execute(db);
  await splitDeliveryEvents(db);
  await sql`
    update card_application_steps s set note_en = v.en
    from (values
      ('配送到校', 'Sent to the school'),
      ('配送到家', 'Sent home by courier'),
      ('已送达学校，请到卡管员处领取', 'At the school: collect it from the school card manager'),
      ('学生已不在该校就读，改为快递配送到家', 'The student no longer attends the school: sent home by courier instead'),
      ('重新配送到家', 'Sent home again'),
      ('改为配送到校', 'Sent to the school instead')
    ) as v(zh, en)
    where s.note = v.zh`.execute(db);
  await rewriteCourierNotes(db);
}

/** English halves begin in lower case in the old texts; as labels they begin with a capital. */
const capitalised = sql`upper(left(en, 1)) || substr(en, 2)`;

async function splitDeliveryEvents(db: Kysely<unknown>): Promise<void> {
  await sql`
    update deliveries d set events = (
      select coalesce(jsonb_agg(
        case when jsonb_typeof(e -> 'description') = 'string'
          then jsonb_set(e, '{description}', jsonb_build_object('zh', zh, 'en', ${capitalised}))
          else e end
        order by ord), '[]'::jsonb)
      from jsonb_array_elements(d.events) with ordinality as x(e, ord),
        lateral (select e ->> 'description' as text) t,
        lateral (select
          case when strpos(t.text, ' / ') > 0 then left(t.text, strpos(t.text, ' / ') - 1) else t.text end as zh,
          case when strpos(t.text, ' / ') > 0 then substr(t.text, strpos(t.text, ' / ') + 3) else t.text end as en) halves
    )
    where exists (select 1 from jsonb_array_elements(d.events) e where jsonb_typeof(e -> 'description') = 'string')`.execute(db);
}

/** 'sandbox SB…' or 'sandbox SB…：zh / en' (the courier's last word when the parcel failed or came back). */
const courierNote = /^sandbox(?: ([^\s：]+))?(?:：([\s\S]*))?$/;

async function rewriteCourierNotes(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ id: string; note: string }>`select id, note from card_application_steps where note like 'sandbox%'`.execute(db);
  for (const row of rows) {
    const match = courierNote.exec(row.note);
    if (!match) continue;
    const no = match[1] ? ` ${match[1]}` : '';
    const said = match[2];
    const cut = said?.indexOf(' / ') ?? -1;
    const [zh, en] = said === undefined ? [null, null] : cut >= 0 ? [said.slice(0, cut), said.slice(cut + 3)] : [said, said];
    const note = `模拟快递${no}${zh === null ? '' : `：${zh}`}`;
    const noteEn = `Sandbox courier${no}${en === null ? '' : `: ${en.charAt(0).toUpperCase()}${en.slice(1)}`}`;
    await sql`update card_application_steps set note = ${note}, note_en = ${noteEn} where id = ${row.id}::uuid`.execute(db);
  }
}
