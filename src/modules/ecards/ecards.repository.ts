import type { Insertable } from 'kysely';
import type { PhoneRequirements, SupportedModel } from '../../domain/phone-eligibility.js';
import type { DbOrTx } from '../../platform/db/database.js';
import type { CardProduct, CardStatus } from '../cards/cards.tables.js';
import type { CardRow } from '../cards/cards.repository.js';
import type { EcardApplicationsTable, PhoneRequirementKey } from './ecards.tables.js';

export interface PhoneSupport {
  requirements: PhoneRequirements;
  models: (SupportedModel & { id: number })[];
}

/** The only SQL of the e-cards module (cards themselves are written through the cards module). */
export const ecardsRepository = {
  async phoneSupport(db: DbOrTx): Promise<PhoneSupport> {
    const [requirements, models] = await Promise.all([
      db.selectFrom('ecard_phone_requirements').select(['key', 'min_version']).execute(),
      db.selectFrom('ecard_phone_models').select(['id', 'brand', 'name', 'series']).orderBy('brand').orderBy('id').execute(),
    ]);
    const byKey = Object.fromEntries(requirements.map((r) => [r.key, r.min_version])) as Record<PhoneRequirementKey, string>;
    return { requirements: byKey, models };
  },

  setRequirement(db: DbOrTx, key: PhoneRequirementKey, minVersion: string, by: string, at: Date): Promise<unknown> {
    return db.updateTable('ecard_phone_requirements').set({ min_version: minVersion, source: by, updated_by: by, updated_at: at }).where('key', '=', key).execute();
  },

  async addModel(db: DbOrTx, model: SupportedModel, by: string): Promise<number> {
    const row = await db
      .insertInto('ecard_phone_models')
      .values({ brand: model.brand, name: model.name, series: model.series, source: by })
      .onConflict((oc) => oc.columns(['brand', 'name']).doUpdateSet({ series: model.series }))
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  },

  async removeModel(db: DbOrTx, id: number): Promise<boolean> {
    const rows = await db.deleteFrom('ecard_phone_models').where('id', '=', id).returning('id').execute();
    return rows.length > 0;
  },

  findSchool(db: DbOrTx, schoolId: string) {
    return db.selectFrom('schools').select(['id', 'name', 'stage', 'district', 'card_theme']).where('id', '=', schoolId).executeTakeFirst();
  },

  /** Schools offering the K-12 e-card (primary, middle, high), optionally by part of the name. */
  k12Schools(db: DbOrTx, nameLike: string | undefined) {
    let query = db.selectFrom('schools').select(['id', 'name', 'stage', 'district']).where('stage', 'in', ['primary', 'middle', 'high']);
    if (nameLike) query = query.where('name', 'like', `%${nameLike.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    return query.orderBy('name').limit(50).execute();
  },

  /** Schools partnered for the university e-card. */
  partnerSchools(db: DbOrTx) {
    return db
      .selectFrom('ecard_partner_schools')
      .innerJoin('schools', 'schools.id', 'ecard_partner_schools.school_id')
      .select(['schools.id', 'schools.name', 'schools.stage', 'ecard_partner_schools.partnered_since'])
      .orderBy('schools.name')
      .execute();
  },

  async isPartnered(db: DbOrTx, schoolId: string): Promise<boolean> {
    return (await db.selectFrom('ecard_partner_schools').select('school_id').where('school_id', '=', schoolId).executeTakeFirst()) !== undefined;
  },

  addPartner(db: DbOrTx, schoolId: string, at: Date, by: string): Promise<unknown> {
    return db.insertInto('ecard_partner_schools').values({ school_id: schoolId, partnered_since: at, added_by: by }).onConflict((oc) => oc.column('school_id').doNothing()).execute();
  },

  async removePartner(db: DbOrTx, schoolId: string): Promise<boolean> {
    return (await db.deleteFrom('ecard_partner_schools').where('school_id', '=', schoolId).returning('school_id').execute()).length > 0;
  },

  /** What real-name verification compares against: the roster's row of the student. */
  rosterRow(db: DbOrTx, studentId: string) {
    return db
      .selectFrom('students')
      .select(['id', 'name', 'id_number', 'education_id', 'student_no', 'school_id', 'stage', 'status', 'salaried', 'birth_date'])
      .where('id', '=', studentId)
      .executeTakeFirst();
  },

  /** The student's card of this product in one of these statuses, newest first. */
  cardOf(db: DbOrTx, studentId: string, products: readonly CardProduct[], statuses: readonly CardStatus[]): Promise<CardRow | undefined> {
    return db
      .selectFrom('cards')
      .selectAll()
      .where('student_id', '=', studentId)
      .where('product', 'in', products)
      .where('status', 'in', statuses)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  },

  cardsOf(db: DbOrTx, studentId: string, products: readonly CardProduct[], statuses: readonly CardStatus[]): Promise<CardRow[]> {
    return db.selectFrom('cards').selectAll().where('student_id', '=', studentId).where('product', 'in', products).where('status', 'in', statuses).orderBy('created_at').execute();
  },

  findLiveLinkedCard(db: DbOrTx, linkedCardNo: string): Promise<CardRow | undefined> {
    return db.selectFrom('cards').selectAll().where('linked_card_no', '=', linkedCardNo).where('status', 'in', ['active', 'suspended', 'superseded']).executeTakeFirst();
  },

  setValidUntil(db: DbOrTx, cardId: string, validUntil: string, at: Date): Promise<unknown> {
    return db.updateTable('cards').set({ valid_until: validUntil, updated_at: at }).where('id', '=', cardId).execute();
  },

  insertApplication(db: DbOrTx, row: Insertable<EcardApplicationsTable>): Promise<unknown> {
    return db.insertInto('ecard_applications').values(row).execute();
  },

  applicationsOfCard(db: DbOrTx, cardId: string) {
    return db.selectFrom('ecard_applications').selectAll().where((eb) => eb.or([eb('card_id', '=', cardId), eb('previous_card_id', '=', cardId)])).orderBy('created_at').execute();
  },
};
