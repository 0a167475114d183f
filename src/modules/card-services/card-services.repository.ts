import { sql, type Insertable, type Selectable } from 'kysely';
import type { CardProduct, CardStatus } from '../../domain/card-lifecycle.js';
import type { DbOrTx } from '../../platform/db/database.js';
import type { CardRow } from '../cards/cards.repository.js';
import type { CardExtensionWindowsTable, CardExtensionsTable, CardReturnsTable } from './card-services.tables.js';

export type ExtensionWindowRow = Selectable<CardExtensionWindowsTable>;
export type ExtensionRow = Selectable<CardExtensionsTable>;

export interface CardSearchFilter {
  q?: string;
  status?: CardStatus;
  product?: CardProduct;
  /** Limit to one school (a card manager is always limited to theirs). */
  schoolId?: string;
  limit: number;
  offset: number;
}

export interface CardSearchRow {
  id: string;
  card_no: string;
  product: CardProduct;
  status: CardStatus;
  student_id: string;
  student_name: string;
  education_id: string;
  school_id: string;
  school_name: string;
  valid_until: string | null;
  created_at: Date;
}

/** Escapes LIKE wildcards in user input. */
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The only SQL of card services. */
export const cardServicesRepository = {
  listWindows(db: DbOrTx): Promise<ExtensionWindowRow[]> {
    return db.selectFrom('card_extension_windows').selectAll().orderBy('year', 'desc').execute();
  },

  findWindow(db: DbOrTx, year: number): Promise<ExtensionWindowRow | undefined> {
    return db.selectFrom('card_extension_windows').selectAll().where('year', '=', year).executeTakeFirst();
  },

  /** The window `date` falls in (inclusive), if any. */
  windowContaining(db: DbOrTx, date: string): Promise<ExtensionWindowRow | undefined> {
    return db.selectFrom('card_extension_windows').selectAll().where('starts_on', '<=', date).where('ends_on', '>=', date).orderBy('year', 'desc').executeTakeFirst();
  },

  /** The window that ended last before `date`, if any. */
  lastWindowEndedBefore(db: DbOrTx, date: string): Promise<ExtensionWindowRow | undefined> {
    return db.selectFrom('card_extension_windows').selectAll().where('ends_on', '<', date).orderBy('ends_on', 'desc').executeTakeFirst();
  },

  upsertWindow(db: DbOrTx, row: Insertable<CardExtensionWindowsTable>): Promise<unknown> {
    return db
      .insertInto('card_extension_windows')
      .values(row)
      .onConflict((oc) => oc.column('year').doUpdateSet({ starts_on: row.starts_on, ends_on: row.ends_on, updated_by: row.updated_by, updated_at: row.updated_at }))
      .execute();
  },

  findExtension(db: DbOrTx, cardId: string, windowYear: number): Promise<ExtensionRow | undefined> {
    return db.selectFrom('card_extensions').selectAll().where('card_id', '=', cardId).where('window_year', '=', windowYear).executeTakeFirst();
  },

  insertExtension(db: DbOrTx, row: Insertable<CardExtensionsTable>): Promise<unknown> {
    return db.insertInto('card_extensions').values(row).execute();
  },

  setValidUntil(db: DbOrTx, cardId: string, validUntil: string, at: Date): Promise<unknown> {
    return db.updateTable('cards').set({ valid_until: validUntil, updated_at: at }).where('id', '=', cardId).execute();
  },

  insertReturn(db: DbOrTx, row: Insertable<CardReturnsTable>): Promise<unknown> {
    return db.insertInto('card_returns').values(row).execute();
  },

  /** What the graduation bound needs: the student's stage, enrolment and class grade (1–12). */
  studentForExtension(db: DbOrTx, studentId: string): Promise<{ stage: string; status: string; grade: number | null } | undefined> {
    return db
      .selectFrom('students')
      .leftJoin('classes', 'classes.id', 'students.class_id')
      .select(['students.stage', 'students.status', 'classes.grade'])
      .where('students.id', '=', studentId)
      .executeTakeFirst();
  },

  /** The student holding this ID number, in the school when one is given. */
  studentByIdNumber(db: DbOrTx, idNumber: string, schoolId: string | null): Promise<{ id: string; school_id: string } | undefined> {
    let query = db.selectFrom('students').select(['id', 'school_id']).where('id_number', '=', idNumber);
    if (schoolId) query = query.where('school_id', '=', schoolId);
    return query.executeTakeFirst();
  },

  studentByEducationId(db: DbOrTx, educationId: string): Promise<{ id: string; school_id: string } | undefined> {
    return db.selectFrom('students').select(['id', 'school_id']).where('education_id', '=', educationId).executeTakeFirst();
  },

  studentByStudentNo(db: DbOrTx, studentNo: string, schoolId: string): Promise<{ id: string; school_id: string } | undefined> {
    return db.selectFrom('students').select(['id', 'school_id']).where('student_no', '=', studentNo).where('school_id', '=', schoolId).executeTakeFirst();
  },

  /** The student's newest card of a product in one of these statuses. */
  cardOf(db: DbOrTx, studentId: string, product: CardProduct, statuses: readonly CardStatus[]): Promise<CardRow | undefined> {
    return db
      .selectFrom('cards')
      .selectAll()
      .where('student_id', '=', studentId)
      .where('product', '=', product)
      .where('status', 'in', statuses)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirst();
  },

  /** Admin card search: a card number (or its start), an education ID, or part of the holder's name. */
  async searchCards(db: DbOrTx, filter: CardSearchFilter): Promise<{ rows: CardSearchRow[]; total: number }> {
    // The holder's school now, as every other access check (a transfer keeps the card, and its cards.school_id is where it was issued).
    let query = db.selectFrom('cards').innerJoin('students', 'students.id', 'cards.student_id').innerJoin('schools', 'schools.id', 'students.school_id');
    if (filter.schoolId) query = query.where('students.school_id', '=', filter.schoolId);
    if (filter.status) query = query.where('cards.status', '=', filter.status);
    if (filter.product) query = query.where('cards.product', '=', filter.product);
    const q = filter.q?.trim();
    if (q) {
      const pattern = `%${likeEscape(q)}%`;
      query = query.where((eb) =>
        /^\d+$/.test(q)
          ? eb.or([eb('cards.card_no', 'like', `${likeEscape(q)}%`), eb('cards.linked_card_no', '=', q), eb('students.education_id', '=', q), eb('students.student_no', '=', q)])
          : eb.or([eb('students.name', 'like', pattern), eb('students.student_no', '=', q)]),
      );
    }
    const [rows, count] = await Promise.all([
      query
        .select([
          'cards.id', 'cards.card_no', 'cards.product', 'cards.status', 'cards.student_id', 'students.name as student_name', 'students.education_id',
          'students.school_id', 'schools.name as school_name', 'cards.valid_until', 'cards.created_at',
        ])
        .orderBy('cards.created_at', 'desc')
        .orderBy('cards.id', 'desc')
        .limit(filter.limit)
        .offset(filter.offset)
        .execute(),
      query.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },
};
