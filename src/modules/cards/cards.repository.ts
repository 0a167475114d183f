import { sql } from 'kysely';
import type { DbOrTx } from '../../platform/db/database.js';
import type { CardStatus } from '../../domain/card-lifecycle.js';
import type { CardStatusEventsTable, CardsTable } from './cards.tables.js';
import type { Insertable, Selectable, Updateable } from 'kysely';

export type CardRow = Selectable<CardsTable>;
export type CardStatusEventRow = Selectable<CardStatusEventsTable>;

/** The only SQL of the cards module. */
export const cardsRepository = {
  insertCard(db: DbOrTx, row: Insertable<CardsTable>): Promise<unknown> {
    return db.insertInto('cards').values(row).execute();
  },

  findCard(db: DbOrTx, id: string): Promise<CardRow | undefined> {
    return db.selectFrom('cards').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Row-locked for a status change: two racing changes of one card run one after the other. */
  lockCard(db: DbOrTx, id: string): Promise<CardRow | undefined> {
    return db.selectFrom('cards').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  findCardByNo(db: DbOrTx, cardNo: string): Promise<CardRow | undefined> {
    return db.selectFrom('cards').selectAll().where('card_no', '=', cardNo).executeTakeFirst();
  },

  cardsOfStudents(db: DbOrTx, studentIds: readonly string[]): Promise<CardRow[]> {
    if (studentIds.length === 0) return Promise.resolve([]);
    return db.selectFrom('cards').selectAll().where('student_id', 'in', studentIds).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  },

  updateCard(db: DbOrTx, id: string, patch: Updateable<CardsTable>): Promise<unknown> {
    return db.updateTable('cards').set(patch).where('id', '=', id).execute();
  },

  /**
   * The next event version, under a transaction-scoped lock held until commit: versions are
   * handed out in commit order, so a terminal that has seen version V has seen everything ≤ V.
   */
  async nextEventVersion(db: DbOrTx): Promise<number> {
    await sql`select pg_advisory_xact_lock(hashtextextended('cards:status-events', 0))`.execute(db);
    const row = await db.selectFrom('card_status_events').select((eb) => eb.fn.max('version').as('max')).executeTakeFirst();
    return Number(row?.max ?? 0) + 1;
  },

  insertStatusEvent(db: DbOrTx, row: Insertable<CardStatusEventsTable>): Promise<unknown> {
    return db.insertInto('card_status_events').values(row).execute();
  },

  statusHistory(db: DbOrTx, cardId: string): Promise<CardStatusEventRow[]> {
    return db.selectFrom('card_status_events').selectAll().where('card_id', '=', cardId).orderBy('version', 'asc').execute();
  },

  /** The student's card of a transit product in one of these statuses (for the one-active-card rule). */
  activeTransitCard(db: DbOrTx, studentId: string, statuses: readonly CardStatus[] = ['active']): Promise<CardRow | undefined> {
    return db
      .selectFrom('cards')
      .selectAll()
      .where('student_id', '=', studentId)
      .where('product', 'in', ['k12_card', 'k12_ecard', 'university_ecard'])
      .where('status', 'in', statuses)
      .executeTakeFirst();
  },

  /** Serialises card issuing and status changes per student (the one-active-card rule's read-then-write). */
  async lockStudent(db: DbOrTx, studentId: string): Promise<void> {
    await db.selectFrom('students').select('id').where('id', '=', studentId).forUpdate().execute();
  },
};
