import type { DbOrTx } from '../../platform/db/database.js';
import { sql, type Insertable } from 'kysely';
import type { CalendarDaysTable } from '../../platform/db/schema.js';

/** The only place with SQL for the calendar and settings. */
export const calendarRepository = {
  async loadedYears(db: DbOrTx): Promise<number[]> {
    const rows = await db.selectFrom('calendar_years').select('year').orderBy('year').execute();
    return rows.map((r) => r.year);
  },

  loadedYearSources(db: DbOrTx): Promise<{ year: number; source: string }[]> {
    return db.selectFrom('calendar_years').select(['year', 'source']).orderBy('year').execute();
  },

  /** An operator-opened year taken over by the library: every day nobody edited by hand becomes the library's. */
  async replaceUneditedDays(db: DbOrTx, year: number, source: string, at: Date, days: Insertable<CalendarDaysTable>[]): Promise<boolean> {
    const taken = await db.updateTable('calendar_years').set({ source, loaded_at: at }).where('year', '=', year).where('source', '=', 'operator').returning('year').executeTakeFirst();
    if (!taken) return false;
    const column = <K extends keyof Insertable<CalendarDaysTable>>(key: K) => days.map((d) => d[key] ?? null);
    await sql`
      update calendar_days d set is_working_day = u.working, is_holiday = u.holiday, name = u.name, updated_at = ${at}::timestamptz
      from unnest(${column('date')}::date[], ${column('is_working_day')}::bool[], ${column('is_holiday')}::bool[], ${column('name')}::text[]) as u(date, working, holiday, name)
      where d.date = u.date and d.edited_by is null`.execute(db);
    return true;
  },

  daysBetween(db: DbOrTx, from: string, to: string) {
    return db.selectFrom('calendar_days').selectAll().where('date', '>=', from).where('date', '<=', to).orderBy('date').execute();
  },

  async insertYear(db: DbOrTx, year: number, source: string, at: Date, days: Insertable<CalendarDaysTable>[]): Promise<boolean> {
    const inserted = await db.insertInto('calendar_years').values({ year, source, loaded_at: at }).onConflict((oc) => oc.column('year').doNothing()).returning('year').executeTakeFirst();
    if (!inserted) return false;
    await db.insertInto('calendar_days').values(days).onConflict((oc) => oc.column('date').doNothing()).execute();
    return true;
  },

  findDay(db: DbOrTx, date: string) {
    return db.selectFrom('calendar_days').selectAll().where('date', '=', date).executeTakeFirst();
  },

  updateDay(db: DbOrTx, date: string, change: { is_working_day: boolean; is_holiday: boolean; is_vacation: boolean; name: string | null; edited_by: string | null; updated_at: Date }) {
    return db.updateTable('calendar_days').set(change).where('date', '=', date).execute();
  },

  async getSetting<T>(db: DbOrTx, key: string): Promise<T | undefined> {
    const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value as T | undefined;
  },

  putSetting(db: DbOrTx, key: string, value: unknown, at: Date, by: string | null) {
    return db
      .insertInto('settings')
      .values({ key, value: JSON.stringify(value), updated_at: at, updated_by: by })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: at, updated_by: by }))
      .execute();
  },
};
