import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import { finalApplicationStatuses } from '../../domain/fulfilment-lifecycle.js';
import type { DbOrTx } from '../../platform/db/database.js';
import type { SchoolStage } from '../../platform/db/schema.js';
import type {
  ApplicationKindValue, ApplicationStatusValue, CardApplicationsTable, CardConfirmationsTable, DeliveriesTable, ProductionBatchesTable,
} from './fulfilment.tables.js';

export type ConfirmationRow = Selectable<CardConfirmationsTable>;
export type ApplicationRow = Selectable<CardApplicationsTable>;
export type BatchRow = Selectable<ProductionBatchesTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;

/** What a card face is printed from: the student, the school and the class. */
export interface FaceSource {
  student_id: string;
  name: string;
  gender: 'M' | 'F';
  education_id: string;
  id_number: string;
  stage: 'primary' | 'middle' | 'high' | 'university' | 'vocational';
  school_id: string;
  school_name: string;
  grade: number | null;
  class_no: string | null;
  has_photo: boolean;
}

export interface ApplicationFilter {
  studentIds?: readonly string[] | null;
  schoolId?: string | undefined;
  kind?: ApplicationKindValue | undefined;
  status?: ApplicationStatusValue | undefined;
  batchId?: string | undefined;
}

const settingKey = 'fulfilment_settlement_window_days';

/** The only SQL of fulfilment. */
export const fulfilmentRepository = {
  // ---------------------------------------------------------------- students and faces
  faceSource(db: DbOrTx, studentId: string): Promise<FaceSource | undefined> {
    return db
      .selectFrom('students as s')
      .innerJoin('schools as sc', 'sc.id', 's.school_id')
      .leftJoin('classes as c', 'c.id', 's.class_id')
      .leftJoin('student_photos as p', 'p.student_id', 's.id')
      .select(['s.id as student_id', 's.name', 's.gender', 's.education_id', 's.id_number', 's.stage', 's.school_id', 'sc.name as school_name', 'c.grade', 'c.class_no'])
      .select((eb) => eb('p.student_id', 'is not', null).as('has_photo'))
      .where('s.id', '=', studentId)
      .executeTakeFirst()
      .then((row) => (row ? { ...row, has_photo: Boolean(row.has_photo) } : undefined));
  },

  studentByEducationId(db: DbOrTx, educationId: string) {
    return db.selectFrom('students').select(['id', 'name', 'id_number', 'education_id', 'stage', 'school_id']).where('education_id', '=', educationId).executeTakeFirst();
  },

  updateStudentFace(db: DbOrTx, studentId: string, patch: { name?: string; gender?: 'M' | 'F' }, at: Date) {
    return db.updateTable('students').set({ ...patch, updated_at: at }).where('id', '=', studentId).execute();
  },

  schoolName(db: DbOrTx, schoolId: string): Promise<string | undefined> {
    return db.selectFrom('schools').select('name').where('id', '=', schoolId).executeTakeFirst().then((r) => r?.name);
  },

  /**
   * Enrolled students of a K-12 school who have no Beijing-tong card yet (none but returned or
   * closed ones) and no first card under way: who a new-card application is opened for.
   */
  studentsNeedingFirstCard(db: DbOrTx, schoolId: string) {
    return db
      .selectFrom('students as s')
      .innerJoin('schools as sc', 'sc.id', 's.school_id')
      .select(['s.id', 's.school_id'])
      .where('s.school_id', '=', schoolId)
      .where('s.status', '=', 'enrolled')
      .where('sc.stage', 'in', ['primary', 'middle', 'high'])
      // Any K-12 card not returned or closed: a card, a sticker, a phone e-card.
      .where((eb) => eb.not(eb.exists(eb.selectFrom('cards as c').select('c.id').whereRef('c.student_id', '=', 's.id').where('c.product', 'in', ['k12_card', 'k12_sticker', 'k12_ecard']).where('c.status', 'not in', ['returned', 'closed']))))
      .where((eb) => eb.not(eb.exists(eb.selectFrom('card_applications as a').select('a.id').whereRef('a.student_id', '=', 's.id').where('a.kind', '=', 'new_card').where('a.status', 'not in', ['completed', 'cancelled']))))
      .orderBy('s.id')
      .execute();
  },

  /** Where the student is enrolled now (status and school), to tell whether a first card may still be handed over. */
  /** `share`: holds the student's row until the caller's transaction ends, so a change of school or status (which locks it) waits. */
  studentEnrolment(db: DbOrTx, studentId: string, share = false): Promise<{ status: 'enrolled' | 'graduated' | 'transferred' | 'left'; school_id: string } | undefined> {
    const query = db.selectFrom('students').select(['status', 'school_id']).where('id', '=', studentId);
    return (share ? query.forShare() : query).executeTakeFirst();
  },

  /** The student's first card under way (neither completed nor cancelled), locked. */
  openFirstCardOf(db: DbOrTx, studentId: string): Promise<ApplicationRow | undefined> {
    return db.selectFrom('card_applications').selectAll().where('student_id', '=', studentId).where('kind', '=', 'new_card').where('status', 'not in', ['completed', 'cancelled']).forUpdate().executeTakeFirst();
  },

  /** Serialises the openings of one school's confirmations and first cards (two card managers, a double click). */
  async schoolStage(db: DbOrTx, schoolId: string): Promise<SchoolStage | undefined> {
    return (await db.selectFrom('schools').select('stage').where('id', '=', schoolId).executeTakeFirst())?.stage;
  },

  async lockSchool(db: DbOrTx, schoolId: string): Promise<void> {
    await db.selectFrom('schools').select('id').where('id', '=', schoolId).forUpdate().executeTakeFirst();
  },

  studentsWithoutConfirmation(db: DbOrTx, schoolId: string) {
    return db
      .selectFrom('students as s')
      .select(['s.id', 's.school_id'])
      .where('s.school_id', '=', schoolId)
      .where('s.status', '=', 'enrolled')
      .where((eb) => eb.not(eb.exists(eb.selectFrom('card_confirmations as cc').select('cc.id').whereRef('cc.student_id', '=', 's.id'))))
      .execute();
  },

  // ---------------------------------------------------------------- confirmations
  confirmationOfStudent(db: DbOrTx, studentId: string): Promise<ConfirmationRow | undefined> {
    return db.selectFrom('card_confirmations').selectAll().where('student_id', '=', studentId).executeTakeFirst();
  },

  lockConfirmation(db: DbOrTx, id: string): Promise<ConfirmationRow | undefined> {
    return db.selectFrom('card_confirmations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  insertConfirmationIfAbsent(db: DbOrTx, row: Insertable<CardConfirmationsTable>) {
    return db.insertInto('card_confirmations').values(row).onConflict((oc) => oc.column('student_id').doNothing()).execute();
  },

  updateConfirmation(db: DbOrTx, id: string, patch: Updateable<CardConfirmationsTable>) {
    return db.updateTable('card_confirmations').set(patch).where('id', '=', id).execute();
  },

  async confirmationPage(db: DbOrTx, filter: { schoolId?: string | null | undefined; status?: ConfirmationRow['status'] | undefined }, offset: number, limit: number) {
    let q = db.selectFrom('card_confirmations');
    if (filter.schoolId) q = q.where('school_id', '=', filter.schoolId);
    if (filter.status) q = q.where('status', '=', filter.status);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('updated_at', 'desc').orderBy('id').offset(offset).limit(limit).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  // ---------------------------------------------------------------- applications
  insertApplication(db: DbOrTx, row: Insertable<CardApplicationsTable>) {
    return db.insertInto('card_applications').values(row).execute();
  },

  findApplication(db: DbOrTx, id: string): Promise<ApplicationRow | undefined> {
    return db.selectFrom('card_applications').selectAll().where('id', '=', id).executeTakeFirst();
  },

  lockApplication(db: DbOrTx, id: string): Promise<ApplicationRow | undefined> {
    return db.selectFrom('card_applications').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  lockApplicationByFeeOrder(db: DbOrTx, orderId: string): Promise<ApplicationRow | undefined> {
    return db.selectFrom('card_applications').selectAll().where('fee_order_id', '=', orderId).forUpdate().executeTakeFirst();
  },

  openApplicationOfCard(db: DbOrTx, cardId: string): Promise<ApplicationRow | undefined> {
    return db.selectFrom('card_applications').selectAll().where('old_card_id', '=', cardId).where('status', '<>', 'cancelled').executeTakeFirst();
  },

  /** The card's application that is neither completed nor cancelled: its replacement is still on the way. */
  unfinishedApplicationOfCard(db: DbOrTx, cardId: string): Promise<ApplicationRow | undefined> {
    return db.selectFrom('card_applications').selectAll().where('old_card_id', '=', cardId).where('status', 'not in', [...finalApplicationStatuses]).executeTakeFirst();
  },

  updateApplication(db: DbOrTx, id: string, patch: Updateable<CardApplicationsTable>) {
    return db.updateTable('card_applications').set(patch).where('id', '=', id).execute();
  },

  updateApplicationsOfBatch(db: DbOrTx, batchId: string, fromStatus: ApplicationStatusValue, patch: Updateable<CardApplicationsTable>) {
    return db.updateTable('card_applications').set(patch).where('batch_id', '=', batchId).where('status', '=', fromStatus).returningAll().execute();
  },

  applicationsOfDelivery(db: DbOrTx, deliveryId: string): Promise<ApplicationRow[]> {
    return db.selectFrom('card_applications').selectAll().where('delivery_id', '=', deliveryId).orderBy('id').forUpdate().execute();
  },

  applicationsOfBatch(db: DbOrTx, batchId: string): Promise<ApplicationRow[]> {
    return db.selectFrom('card_applications').selectAll().where('batch_id', '=', batchId).orderBy('created_at').orderBy('id').execute();
  },

  listApplications(db: DbOrTx, filter: ApplicationFilter): Promise<ApplicationRow[]> {
    let q = db.selectFrom('card_applications').selectAll();
    if (filter.studentIds) q = filter.studentIds.length === 0 ? q.where('id', 'is', null) : q.where('student_id', 'in', filter.studentIds);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    return q.orderBy('created_at', 'desc').orderBy('id').execute();
  },

  async applicationPage(db: DbOrTx, filter: ApplicationFilter, offset: number, limit: number) {
    let q = db.selectFrom('card_applications');
    if (filter.schoolId) q = q.where('school_id', '=', filter.schoolId);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.batchId) q = q.where('batch_id', '=', filter.batchId);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('created_at', 'desc').orderBy('id').offset(offset).limit(limit).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  /**
   * Applications that may go to production: paid (or a sticker), with the student's card information
   * confirmed (its status comes along for the state machine), and whether the student has a photo.
   */
  async lockProducible(db: DbOrTx, kind: ApplicationKindValue, schoolId: string | undefined): Promise<(ApplicationRow & { confirmation_status: ConfirmationRow['status']; has_photo: boolean })[]> {
    let q = db
      .selectFrom('card_applications as a')
      .innerJoin('card_confirmations as cc', 'cc.student_id', 'a.student_id')
      .innerJoin('students as s', 's.id', 'a.student_id')
      .leftJoin('student_photos as p', 'p.student_id', 'a.student_id')
      .selectAll('a')
      .select('cc.status as confirmation_status')
      .select((eb) => eb('p.student_id', 'is not', null).as('has_photo'))
      .where('a.status', '=', 'ready_for_production')
      // A student who has left is not printed a card (a first card is given up then; this keeps any other out of the batch too).
      .where('s.status', '=', 'enrolled')
      .where('a.kind', '=', kind)
      .where('cc.status', '=', 'confirmed');
    if (schoolId) q = q.where('a.school_id', '=', schoolId);
    const rows = await q.orderBy('a.created_at').orderBy('a.id').forUpdate('a').execute();
    return rows.map((row) => ({ ...row, has_photo: Boolean(row.has_photo) }));
  },

  /** Whether an application has reserved the number, for its card or for its first card's sticker. */
  cardNoReserved(db: DbOrTx, cardNo: string): Promise<boolean> {
    return db.selectFrom('card_applications').select('id').where((eb) => eb.or([eb('new_card_no', '=', cardNo), eb('new_sticker_no', '=', cardNo)])).executeTakeFirst().then((r) => r !== undefined);
  },

  insertStep(db: DbOrTx, row: { id: string; application_id: string; step: string; note: string | null; note_en: string | null; actor_role: string; actor_id: string | null; at: Date }) {
    return db.insertInto('card_application_steps').values(row).execute();
  },

  stepsOf(db: DbOrTx, applicationId: string) {
    return db.selectFrom('card_application_steps').select(['step', 'note', 'note_en', 'at']).where('application_id', '=', applicationId).orderBy('at').orderBy('id').execute();
  },

  // ---------------------------------------------------------------- batches
  insertBatch(db: DbOrTx, row: Insertable<ProductionBatchesTable>) {
    return db.insertInto('production_batches').values(row).execute();
  },

  findBatch(db: DbOrTx, id: string): Promise<BatchRow | undefined> {
    return db.selectFrom('production_batches').selectAll().where('id', '=', id).executeTakeFirst();
  },

  lockBatch(db: DbOrTx, id: string): Promise<BatchRow | undefined> {
    return db.selectFrom('production_batches').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  updateBatch(db: DbOrTx, id: string, patch: Updateable<ProductionBatchesTable>) {
    return db.updateTable('production_batches').set(patch).where('id', '=', id).execute();
  },

  async batchPage(db: DbOrTx, filter: { status?: BatchRow['status'] | undefined; kind?: ApplicationKindValue | undefined }, offset: number, limit: number) {
    let q = db.selectFrom('production_batches');
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.kind) q = q.where('kind', '=', filter.kind);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('created_at', 'desc').orderBy('id').offset(offset).limit(limit).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  async countOfBatches(db: DbOrTx, batchIds: readonly string[]): Promise<Map<string, number>> {
    if (batchIds.length === 0) return new Map();
    const rows = await db.selectFrom('card_applications').select(['batch_id']).select((eb) => eb.fn.countAll<number>().as('n')).where('batch_id', 'in', batchIds).groupBy('batch_id').execute();
    return new Map(rows.map((r) => [r.batch_id as string, Number(r.n)]));
  },

  // ---------------------------------------------------------------- deliveries
  insertDelivery(db: DbOrTx, row: Insertable<DeliveriesTable>) {
    return db.insertInto('deliveries').values(row).execute();
  },

  findDelivery(db: DbOrTx, id: string): Promise<DeliveryRow | undefined> {
    return db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** A batch's home parcels the courier has not booked yet, oldest first. */
  unbookedHomeParcelsOfBatch(db: DbOrTx, batchId: string): Promise<DeliveryRow[]> {
    return db.selectFrom('deliveries').selectAll().where('batch_id', '=', batchId).where('method', '=', 'home').where('tracking_no', 'is', null).orderBy('created_at').execute();
  },

  lockDelivery(db: DbOrTx, id: string): Promise<DeliveryRow | undefined> {
    return db.selectFrom('deliveries').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  updateDelivery(db: DbOrTx, id: string, patch: Updateable<DeliveriesTable>) {
    return db.updateTable('deliveries').set(patch).where('id', '=', id).execute();
  },

  /**
   * Home deliveries the courier has not taken yet, is still carrying, or is bringing back to the
   * card centre (since `failedSince`: older failures wait for an operator), those asked about longest
   * ago first: a parcel that never comes back is asked once a round, never ahead of all the others.
   */
  homeDeliveriesToTrack(db: DbOrTx, failedSince: Date, limit: number): Promise<DeliveryRow[]> {
    return db
      .selectFrom('deliveries')
      .selectAll()
      .where('method', '=', 'home')
      .where('status', 'in', ['created', 'in_transit', 'failed'])
      .where((eb) => eb.or([eb('status', '<>', 'failed'), eb('updated_at', '>=', failedSince)]))
      .orderBy(sql`tracked_at nulls first`)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  /** The parcel was just tracked: when, and the failure if it failed (null: it went well). */
  markTracked(db: DbOrTx, id: string, at: Date, error: string | null) {
    return db.updateTable('deliveries').set({ tracked_at: at, tracking_error: error }).where('id', '=', id).execute();
  },

  async deliveryPage(db: DbOrTx, filter: { status?: DeliveryRow['status'] | undefined; method?: DeliveryRow['method'] | undefined; schoolId?: string | null | undefined; batchId?: string | undefined }, offset: number, limit: number) {
    let q = db.selectFrom('deliveries');
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.method) q = q.where('method', '=', filter.method);
    if (filter.schoolId) q = q.where('school_id', '=', filter.schoolId);
    if (filter.batchId) q = q.where('batch_id', '=', filter.batchId);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('created_at', 'desc').orderBy('id').offset(offset).limit(limit).execute(),
      q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  async applicationCountOfDeliveries(db: DbOrTx, deliveryIds: readonly string[]): Promise<Map<string, number>> {
    if (deliveryIds.length === 0) return new Map();
    const rows = await db.selectFrom('card_applications').select(['delivery_id']).select((eb) => eb.fn.countAll<number>().as('n')).where('delivery_id', 'in', deliveryIds).groupBy('delivery_id').execute();
    return new Map(rows.map((r) => [r.delivery_id as string, Number(r.n)]));
  },

  // ---------------------------------------------------------------- settings
  async settlementWindowDays(db: DbOrTx): Promise<number | undefined> {
    const row = await db.selectFrom('settings').select('value').where('key', '=', settingKey).executeTakeFirst();
    return typeof row?.value === 'number' ? row.value : undefined;
  },

  putSettlementWindowDays(db: DbOrTx, days: number, at: Date, by: string | null) {
    return db
      .insertInto('settings')
      .values({ key: settingKey, value: JSON.stringify(days), updated_at: at, updated_by: by })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(days), updated_at: at, updated_by: by }))
      .execute();
  },
};
