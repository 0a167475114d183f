import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import type { CampusBookingsTable, CampusElectricityPurchasesTable, CampusPaymentCodesTable, CampusPurchasesTable, CampusRepairsTable, CampusRoomsTable, CampusVenuesTable } from './campus.tables.js';
import type { Insertable, Selectable } from 'kysely';

export type PaymentCodeRow = Selectable<CampusPaymentCodesTable>;
export type PurchaseRow = Selectable<CampusPurchasesTable>;
export type RoomRow = Selectable<CampusRoomsTable>;
export type ElectricityPurchaseRow = Selectable<CampusElectricityPurchasesTable>;
export type RepairRow = Selectable<CampusRepairsTable>;
export type VenueRow = Selectable<CampusVenuesTable>;
export type BookingRow = Selectable<CampusBookingsTable>;

/** The only SQL of campus payments. */
export const campusRepository = {
  /** The student's campus card in use (one active card per identity). */
  activeCampusCard(db: DbOrTx, studentId: string) {
    return db.selectFrom('cards').select(['id', 'card_no', 'status']).where('student_id', '=', studentId).where('product', '=', 'campus_card').where('status', '=', 'active').executeTakeFirst();
  },

  payer(db: DbOrTx, studentId: string) {
    return db.selectFrom('students').select(['id', 'name', 'school_id', 'campus_purchase_limit_fen']).where('id', '=', studentId).executeTakeFirstOrThrow();
  },

  lockPayer(tx: Tx, studentId: string) {
    return tx.selectFrom('students').select(['id', 'campus_purchase_limit_fen']).where('id', '=', studentId).forUpdate().executeTakeFirstOrThrow();
  },

  setPurchaseLimit(db: DbOrTx, studentId: string, limitFen: number, at: Date) {
    return db.updateTable('students').set({ campus_purchase_limit_fen: limitFen, updated_at: at }).where('id', '=', studentId).execute();
  },

  /** A new code ends the card's earlier live ones: one code on the screen pays. */
  async replaceCodes(tx: Tx, row: Insertable<CampusPaymentCodesTable>, now: Date): Promise<void> {
    await tx.updateTable('campus_payment_codes').set({ expires_at: now }).where('card_id', '=', row.card_id).where('used_at', 'is', null).where('expires_at', '>', now).execute();
    await tx.insertInto('campus_payment_codes').values(row).execute();
  },

  findCode(db: DbOrTx, code: string) {
    return db.selectFrom('campus_payment_codes').selectAll().where('code', '=', code).executeTakeFirst();
  },

  lockCode(tx: Tx, code: string) {
    return tx.selectFrom('campus_payment_codes').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
  },

  markCodeUsed(tx: Tx, code: string, at: Date) {
    return tx.updateTable('campus_payment_codes').set({ used_at: at }).where('code', '=', code).execute();
  },

  /** Purchases of one POS one at a time, so a retry racing its first try finds it stored. */
  async lockTerminal(tx: Tx, terminalId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`campus:pos:${terminalId}`}, 0))`.execute(tx);
  },

  purchaseOf(db: DbOrTx, terminalId: string, posPurchaseId: string) {
    return db.selectFrom('campus_purchases').selectAll().where('terminal_id', '=', terminalId).where('pos_purchase_id', '=', posPurchaseId).executeTakeFirst();
  },

  insertPurchase(tx: Tx, row: Insertable<CampusPurchasesTable>) {
    return tx.insertInto('campus_purchases').values(row).execute();
  },

  /** Whether the school is a university or vocational college (campus services exist there only). */
  async isCampusSchool(db: DbOrTx, schoolId: string): Promise<boolean> {
    const school = await db.selectFrom('schools').select('stage').where('id', '=', schoolId).executeTakeFirst();
    return school?.stage === 'university' || school?.stage === 'vocational';
  },

  rooms(db: DbOrTx, schoolId: string, q: string | undefined) {
    let query = db.selectFrom('campus_rooms').selectAll().where('school_id', '=', schoolId);
    // q is matched literally: its % and _ are not patterns.
    const literal = q?.replace(/[\\%_]/g, (c) => `\\${c}`);
    if (literal) query = query.where((eb) => eb.or([eb('building', 'like', `%${literal}%`), eb('room_no', 'like', `${literal}%`)]));
    return query.orderBy('building').orderBy('room_no').limit(50).execute();
  },

  room(db: DbOrTx, id: string) {
    return db.selectFrom('campus_rooms').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** False when the school already has that room (or the meter is another room's). */
  async insertRoom(db: DbOrTx, row: Insertable<CampusRoomsTable>): Promise<boolean> {
    const inserted = await db.insertInto('campus_rooms').values(row).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst();
    return inserted !== undefined;
  },

  insertElectricityPurchase(db: DbOrTx, row: Insertable<CampusElectricityPurchasesTable>) {
    return db.insertInto('campus_electricity_purchases').values(row).execute();
  },

  electricityPurchasesOf(db: DbOrTx, studentId: string) {
    return db
      .selectFrom('campus_electricity_purchases as p')
      .innerJoin('campus_rooms as r', 'r.id', 'p.room_id')
      .selectAll('p')
      .select(['r.building', 'r.room_no'])
      .where('p.student_id', '=', studentId)
      .orderBy('p.created_at', 'desc')
      .limit(50)
      .execute();
  },

  /** True when this call delivered it (a job run twice delivers once). */
  async markDelivered(db: Tx, purchaseId: string, at: Date): Promise<boolean> {
    const row = await db.updateTable('campus_electricity_purchases').set({ meter_status: 'delivered', delivered_at: at }).where('id', '=', purchaseId).where('meter_status', '=', 'queued').returning('id').executeTakeFirst();
    return row !== undefined;
  },

  insertRepair(db: DbOrTx, row: Insertable<CampusRepairsTable>) {
    return db.insertInto('campus_repairs').values(row).execute();
  },

  repairsOfStudent(db: DbOrTx, studentId: string) {
    return db.selectFrom('campus_repairs').selectAll().where('student_id', '=', studentId).orderBy('created_at', 'desc').limit(50).execute();
  },

  async repairsOfSchool(db: DbOrTx, schoolId: string | undefined, status: RepairRow['status'] | undefined, limit: number, offset: number) {
    let query = db.selectFrom('campus_repairs as r').innerJoin('students as s', 's.id', 'r.student_id').innerJoin('schools as sc', 'sc.id', 'r.school_id');
    if (schoolId) query = query.where('r.school_id', '=', schoolId);
    if (status) query = query.where('r.status', '=', status);
    const [rows, count] = await Promise.all([
      query.selectAll('r').select(['s.name as student_name', 'sc.name as school_name']).orderBy('r.created_at', 'desc').orderBy('r.id').limit(limit).offset(offset).execute(),
      query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { rows, total: Number(count.n) };
  },

  lockRepair(tx: Tx, id: string) {
    return tx.selectFrom('campus_repairs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  updateRepair(tx: Tx, id: string, set: Pick<RepairRow, 'status' | 'staff_note' | 'updated_at'>) {
    return tx.updateTable('campus_repairs').set(set).where('id', '=', id).execute();
  },

  venues(db: DbOrTx, schoolId: string) {
    return db.selectFrom('campus_venues').selectAll().where('school_id', '=', schoolId).orderBy('name').execute();
  },

  venue(db: DbOrTx, id: string) {
    return db.selectFrom('campus_venues').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async insertVenue(db: DbOrTx, row: Insertable<CampusVenuesTable>): Promise<boolean> {
    return (await db.insertInto('campus_venues').values(row).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst()) !== undefined;
  },

  bookedHours(db: DbOrTx, venueId: string, date: string) {
    return db.selectFrom('campus_bookings').select(['hour', 'student_id']).where('venue_id', '=', venueId).where('date', '=', date).where('status', '=', 'booked').execute();
  },

  /** The student's bookings still to come, with their rooms; taken under the student's lock when counting. */
  upcomingBookings(db: DbOrTx, studentId: string, now: Date) {
    return db
      .selectFrom('campus_bookings as b')
      .innerJoin('campus_venues as v', 'v.id', 'b.venue_id')
      .selectAll('b')
      .select('v.name as venue_name')
      .where('b.student_id', '=', studentId)
      .where('b.status', '=', 'booked')
      .where('b.starts_at', '>', now)
      .orderBy('b.starts_at')
      .execute();
  },

  /** False when the slot is taken (the partial unique index decides, whatever races). */
  async insertBooking(db: DbOrTx, row: Insertable<CampusBookingsTable>): Promise<boolean> {
    const inserted = await db.insertInto('campus_bookings').values(row).onConflict((oc) => oc.columns(['venue_id', 'date', 'hour']).where((eb) => eb('status', '=', sql.lit('booked'))).doNothing()).returning('id').executeTakeFirst();
    return inserted !== undefined;
  },

  lockBooking(tx: Tx, id: string) {
    return tx.selectFrom('campus_bookings').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  cancelBooking(tx: Tx, id: string, at: Date) {
    return tx.updateTable('campus_bookings').set({ status: 'cancelled', cancelled_at: at }).where('id', '=', id).execute();
  },

  terminal(db: DbOrTx, id: string) {
    return db.selectFrom('terminals').select(['id', 'code', 'kind', 'operator', 'school_id', 'disabled_at']).where('id', '=', id).executeTakeFirst();
  },
};
