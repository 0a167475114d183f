import type { DbOrTx } from '../../platform/db/database.js';
import type { Insertable } from 'kysely';
import type { CalendarDaysTable } from '../../platform/db/schema.js';

/** The only place with SQL for the calendar and settings. */
export const calendarRepository = {
  async loadedYears(db: DbOrTx): Promise<number[]> {
    const rows = await db.selectFrom('calendar_years').select('year').orderBy('year').execute();
    return rows.map((r) => r.year);
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
