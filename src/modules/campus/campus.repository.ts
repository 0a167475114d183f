import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../../platform/db/database.js';
import type { CampusNetworkSessionsTable, NetworkEndReason, CampusBookingsTable, VenueKind, CampusElectricityPurchasesTable, CampusPaymentCodesTable, CampusPurchasesTable, CampusRepairsTable, CampusRoomsTable, CampusVenuesTable } from './campus.tables.js';
import type { Insertable, Selectable } from 'kysely';
import { isCampusStage } from '../../domain/campus-payments.js';
import { purseJoinCondition } from '../ledger/ledger.js';
import type { CardProduct, CardStatus } from '../../domain/card-lifecycle.js';
import type { TerminalKind } from '../../platform/db/schema.js';

export type PaymentCodeRow = Selectable<CampusPaymentCodesTable>;
export type PurchaseRow = Selectable<CampusPurchasesTable>;
export type RoomRow = Selectable<CampusRoomsTable>;
export type ElectricityPurchaseRow = Selectable<CampusElectricityPurchasesTable>;
export type RepairRow = Selectable<CampusRepairsTable>;
export type VenueRow = Selectable<CampusVenuesTable>;
export type BookingRow = Selectable<CampusBookingsTable>;
export type NetworkSessionRow = Selectable<CampusNetworkSessionsTable>;

/** See purchaseContext. */
export interface PurchaseContext {
  terminal_id: string;
  terminal_code: string;
  terminal_kind: TerminalKind;
  operator: string;
  terminal_school_id: string | null;
  terminal_disabled_at: Date | null;
  stored_id: string | null;
  code_card_id: string | null;
  code_used_at: Date | null;
  code_expires_at: Date | null;
  card_id: string | null;
  card_no: string | null;
  card_product: CardProduct | null;
  card_status: CardStatus | null;
  student_id: string | null;
  holder_name: string | null;
  holder_school_id: string | null;
  campus_purchase_limit_fen: number | null;
  purse_id: string | null;
}

/** The only SQL of campus payments. */
export const campusRepository = {
  /** The student's campus card in use (one active card per identity). */
  activeCampusCard(db: DbOrTx, studentId: string) {
    return db.selectFrom('cards').select(['id', 'card_no', 'status']).where('student_id', '=', studentId).where('product', '=', 'campus_card').where('status', '=', 'active').executeTakeFirst();
  },

  payer(db: DbOrTx, studentId: string) {
    return db.selectFrom('students').select(['id', 'name', 'school_id', 'college', 'major', 'campus_purchase_limit_fen']).where('id', '=', studentId).executeTakeFirstOrThrow();
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

  /**
   * What a POS purchase checks before its transaction, in one read: the terminal; whether it
   * already made this purchase; the paying card, read at the counter (`cardNo`) or named by the
   * payment code, with the code, the card's holder and its purse. A column is null where its row
   * is missing; no row at all means no such terminal.
   */
  async purchaseContext(db: DbOrTx, terminalId: string, request: { purchaseId: string; cardNo?: string | undefined; paymentCode?: string | undefined }) {
    const { rows } = await sql<PurchaseContext>`
      select t.id as terminal_id, t.code as terminal_code, t.kind as terminal_kind, t.operator, t.school_id as terminal_school_id, t.disabled_at as terminal_disabled_at,
             p.id as stored_id,
             pc.card_id as code_card_id, pc.used_at as code_used_at, pc.expires_at as code_expires_at,
             c.id as card_id, c.card_no, c.product as card_product, c.status as card_status, c.student_id,
             s.name as holder_name, s.school_id as holder_school_id, s.campus_purchase_limit_fen,
             purse.id as purse_id
      from terminals t
      left join campus_purchases p on p.terminal_id = t.id and p.pos_purchase_id = ${request.purchaseId}
      left join campus_payment_codes pc on pc.code = ${request.paymentCode ?? null}
      -- The code's card, else the card read at the counter (the caller refuses a request naming both or neither).
      left join cards c on c.id = coalesce(pc.card_id, (select id from cards where card_no = ${request.cardNo ?? null}))
      left join students s on s.id = c.student_id
      left join ledger_accounts purse on ${purseJoinCondition('purse', 'c.id')}
      where t.id = ${terminalId}`.execute(db);
    return rows[0];
  },

  /** The paying card, row-locked, and whether its holder has a daily limit (only then is the limit locked and summed). */
  lockPayingCard(tx: Tx, cardId: string) {
    return tx.selectFrom('cards').select(['id', 'status', 'student_id'])
      .select((eb) => eb.exists(eb.selectFrom('campus_daily_limits as l').select('l.student_id').whereRef('l.student_id', '=', 'cards.student_id')).as('has_daily_limit'))
      .where('id', '=', cardId).forUpdate().executeTakeFirst();
  },

  /** Uses a live code (one use): false when it is unknown, used or expired. A till racing another on it waits, then finds it used. */
  async useCode(tx: Tx, code: string, now: Date): Promise<boolean> {
    const used = await tx.updateTable('campus_payment_codes').set({ used_at: now }).where('code', '=', code).where('used_at', 'is', null).where('expires_at', '>', now).returning('code').executeTakeFirst();
    return used !== undefined;
  },

  /** Purchases of one POS one at a time, so a retry racing its first try finds it stored. */
  async lockTerminal(tx: Tx, terminalId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`campus:pos:${terminalId}`}, 0))`.execute(tx);
  },

  purchaseOf(db: DbOrTx, terminalId: string, posPurchaseId: string) {
    return db.selectFrom('campus_purchases').selectAll().where('terminal_id', '=', terminalId).where('pos_purchase_id', '=', posPurchaseId).executeTakeFirst();
  },

  insertPurchase(tx: Tx, row: Insertable<CampusPurchasesTable>) {
    return tx.insertInto('campus_purchases').values(row).returningAll().executeTakeFirstOrThrow();
  },

  lockPurchase(tx: Tx, id: string) {
    return tx.selectFrom('campus_purchases').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  purchaseById(db: DbOrTx, id: string) {
    return db.selectFrom('campus_purchases').selectAll().where('id', '=', id).executeTakeFirst();
  },

  markRefunded(tx: Tx, id: string, refund: { at: Date; ledgerTransactionId: string; balanceAfterFen: number; byRole: 'terminal' | 'school_admin' | 'operator'; byId: string | null; reason: string | null }) {
    return tx.updateTable('campus_purchases').set({
      refunded_at: refund.at, refund_ledger_transaction_id: refund.ledgerTransactionId, refund_balance_after_fen: refund.balanceAfterFen,
      refunded_by_role: refund.byRole, refunded_by_id: refund.byId, refund_reason: refund.reason,
    }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  },

  /** Canteen purchases (of a school, or all), newest first, optionally of one card number (or the one purchase). */
  async schoolPurchases(db: DbOrTx, schoolId: string | undefined, filter: { cardNo?: string | undefined; id?: string }, page: { limit: number; offset: number }) {
    // The canteen's school (its POS's), not the student's: a student may since have moved.
    let q = db.selectFrom('campus_purchases as p').innerJoin('students as s', 's.id', 'p.student_id').innerJoin('cards as c', 'c.id', 'p.card_id').innerJoin('terminals as t', 't.id', 'p.terminal_id')
      .innerJoin('schools as sc', 'sc.id', 't.school_id');
    if (schoolId) q = q.where('t.school_id', '=', schoolId);
    if (filter.cardNo) q = q.where('c.card_no', '=', filter.cardNo);
    if (filter.id) q = q.where('p.id', '=', filter.id);
    const [items, total] = await Promise.all([
      q.selectAll('p').select(['s.name as student_name', 'sc.name as school_name', 'c.card_no', 't.code as terminal_code']).orderBy('p.at', 'desc').orderBy('p.id').limit(page.limit).offset(page.offset).execute(),
      q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(total.n) };
  },

  /** Whether the school is a university or vocational college (campus services exist there only). */
  async isCampusSchool(db: DbOrTx, schoolId: string): Promise<boolean> {
    const school = await db.selectFrom('schools').select('stage').where('id', '=', schoolId).executeTakeFirst();
    return isCampusStage(school?.stage);
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

  setMeter(db: Tx, roomId: string, meterNo: string) {
    return db.updateTable('campus_rooms').set({ meter_no: meterNo }).where('id', '=', roomId).execute();
  },

  lockRoom(db: Tx, id: string) {
    return db.selectFrom('campus_rooms').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
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
  async markDelivered(db: Tx, purchaseId: string, at: Date, meterNo: string): Promise<boolean> {
    const row = await db.updateTable('campus_electricity_purchases').set({ meter_status: 'delivered', delivered_at: at, delivered_meter_no: meterNo }).where('id', '=', purchaseId).where('meter_status', '=', 'queued').returning('id').executeTakeFirst();
    return row !== undefined;
  },

  async markMeterFailed(db: Tx, purchaseId: string, error: string): Promise<boolean> {
    const row = await db.updateTable('campus_electricity_purchases').set({ meter_status: 'failed', meter_error: error.slice(0, 500) }).where('id', '=', purchaseId).where('meter_status', '=', 'queued').returning('id').executeTakeFirst();
    return row !== undefined;
  },

  /** A school's electricity purchases (all schools: undefined), newest first, for the console. */
  async schoolElectricityPurchases(db: DbOrTx, schoolId: string | undefined, filter: { status?: ElectricityPurchaseRow['meter_status'] | undefined; id?: string }, page: { limit: number; offset: number }) {
    let q = db.selectFrom('campus_electricity_purchases as p').innerJoin('campus_rooms as r', 'r.id', 'p.room_id').innerJoin('students as s', 's.id', 'p.student_id')
      .innerJoin('schools as sc', 'sc.id', 'r.school_id');
    if (schoolId) q = q.where('r.school_id', '=', schoolId);
    if (filter.status) q = q.where('p.meter_status', '=', filter.status);
    if (filter.id) q = q.where('p.id', '=', filter.id);
    const [items, total] = await Promise.all([
      q.selectAll('p').select(['r.building', 'r.room_no', 'r.meter_no', 'r.school_id', 's.name as student_name', 'sc.name as school_name'])
        .orderBy('p.created_at', 'desc').orderBy('p.id').limit(page.limit).offset(page.offset).execute(),
      q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items, total: Number(total.n) };
  },

  /** Puts a failed purchase back in the meter's queue; false when it is not failed (now). */
  async requeueFailedMeter(db: Tx, purchaseId: string): Promise<boolean> {
    const row = await db.updateTable('campus_electricity_purchases').set({ meter_status: 'queued', meter_error: null }).where('id', '=', purchaseId).where('meter_status', '=', 'failed').returning('id').executeTakeFirst();
    return row !== undefined;
  },

  /** A purchase with its room's meter, for the delivery job. */
  purchaseForMeter(db: DbOrTx, purchaseId: string) {
    return db.selectFrom('campus_electricity_purchases as p').innerJoin('campus_rooms as r', 'r.id', 'p.room_id')
      .select(['p.id', 'p.kwh_centi', 'p.meter_status', 'p.meter_error', 'r.meter_no', 'r.school_id']).where('p.id', '=', purchaseId).executeTakeFirst();
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

  /** The school's venues (of one kind, when given), by kind and name. */
  venues(db: DbOrTx, schoolId: string, kind?: VenueKind) {
    let q = db.selectFrom('campus_venues').selectAll().where('school_id', '=', schoolId);
    if (kind) q = q.where('kind', '=', kind);
    return q.orderBy('kind').orderBy('name').execute();
  },

  venue(db: DbOrTx, id: string) {
    return db.selectFrom('campus_venues').selectAll().where('id', '=', id).executeTakeFirst();
  },

  lockVenue(tx: Tx, id: string) {
    return tx.selectFrom('campus_venues').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  },

  setVenueAudience(tx: Tx, id: string, audience: { colleges: string[]; majors: string[] }) {
    return tx.updateTable('campus_venues').set({ colleges: audience.colleges, majors: audience.majors }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  },

  async insertVenue(db: DbOrTx, row: Insertable<CampusVenuesTable>): Promise<boolean> {
    return (await db.insertInto('campus_venues').values(row).onConflict((oc) => oc.doNothing()).returning('id').executeTakeFirst()) !== undefined;
  },

  bookedHours(db: DbOrTx, venueId: string, date: string) {
    return db.selectFrom('campus_bookings').select(['hour', 'student_id']).where('venue_id', '=', venueId).where('date', '=', date).where('status', '=', 'booked').execute();
  },

  /** The student's bookings still to come, with their rooms; taken under the student's lock when counting. */
  upcomingBookings(db: DbOrTx, studentId: string, now: Date) {
    return bookingsOf(db, studentId).where('b.status', '=', 'booked').where('b.starts_at', '>', now).orderBy('b.starts_at').execute();
  },

  /** Every booking of the student, past and cancelled ones too, newest first. */
  allBookings(db: DbOrTx, studentId: string) {
    return bookingsOf(db, studentId).orderBy('b.starts_at', 'desc').execute();
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

  // ---- campus network ----

  /** One student's network sessions and months settle one at a time (meaningful inside a transaction). */
  async lockNetworkStudent(db: DbOrTx, studentId: string): Promise<void> {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`campus:network:${studentId}`}, 0))`.execute(db);
  },

  networkSession(db: DbOrTx, terminalId: string, gatewaySessionId: string) {
    return db.selectFrom('campus_network_sessions').selectAll().where('terminal_id', '=', terminalId).where('gateway_session_id', '=', gatewaySessionId).executeTakeFirst();
  },

  reloadSession(db: DbOrTx, id: string) {
    return db.selectFrom('campus_network_sessions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  },

  /** A session with its gateway's code, as the student's app shows it. */
  networkSessionView(db: DbOrTx, id: string) {
    return db.selectFrom('campus_network_sessions as s').innerJoin('terminals as t', 't.id', 's.terminal_id').selectAll('s').select('t.code as gateway_code').where('s.id', '=', id).executeTakeFirst();
  },

  /** The student's sessions not yet ended (however old) and the latest `limit` others, newest first. */
  async networkSessionsToShow(db: DbOrTx, studentId: string, limit: number) {
    const { rows } = await sql<NetworkSessionRow & { gateway_code: string }>`
      select s.*, t.code as gateway_code from campus_network_sessions s join terminals t on t.id = s.terminal_id
      where s.student_id = ${studentId}
        and (s.ended_at is null or s.id in (select id from campus_network_sessions where student_id = ${studentId} order by started_at desc, id limit ${limit}))
      order by s.started_at desc, s.id`.execute(db);
    return rows;
  },

  /** An enrolled student of the school, by student number or ID number (student numbers are unique per school only). */
  enrolledStudentAt(db: DbOrTx, schoolId: string, account: string) {
    return db.selectFrom('students').select(['id']).where('school_id', '=', schoolId).where('status', '=', 'enrolled')
      .where((eb) => eb.or([eb('student_no', '=', account), eb('id_number', '=', account.toUpperCase())])).executeTakeFirst();
  },

  insertNetworkSession(tx: Tx, row: Insertable<CampusNetworkSessionsTable>) {
    return tx.insertInto('campus_network_sessions').values(row).returningAll().executeTakeFirstOrThrow();
  },

  /** Sessions whose paid time ran out without a report: the gateway lost them; they end when it did. */
  async endExpiredSessions(tx: Tx, studentId: string, now: Date): Promise<{ id: string; device_mac: string }[]> {
    const { rows } = await sql<{ id: string; device_mac: string }>`
      update campus_network_sessions set ended_at = online_until, end_reason = 'expired', online_until = null
      where student_id = ${studentId} and ended_at is null and online_until <= ${now}::timestamptz
      returning id, device_mac`.execute(tx);
    return rows;
  },

  /** A device signing on again ends its earlier session (the gateway never said it went off). */
  endDeviceSessions(tx: Tx, studentId: string, mac: string, now: Date, reason: NetworkEndReason): Promise<{ id: string; device_mac: string }[]> {
    return tx.updateTable('campus_network_sessions').set({ ended_at: now, end_reason: reason, online_until: null })
      .where('student_id', '=', studentId).where('device_mac', '=', mac).where('ended_at', 'is', null).returning(['id', 'device_mac']).execute();
  },

  async onlineSessionCount(tx: Tx, studentId: string): Promise<number> {
    const row = await tx.selectFrom('campus_network_sessions').select((eb) => eb.fn.countAll<string>().as('n')).where('student_id', '=', studentId).where('ended_at', 'is', null).executeTakeFirstOrThrow();
    return Number(row.n);
  },

  endSession(db: DbOrTx, id: string, at: Date, reason: NetworkEndReason) {
    return db.updateTable('campus_network_sessions').set({ ended_at: at, end_reason: reason, online_until: null }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  },

  setOnlineUntil(tx: Tx, id: string, until: Date) {
    return tx.updateTable('campus_network_sessions').set({ online_until: until }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  },

  async addSessionUsage(tx: Tx, id: string, usage: { minutes: number; overrunMinutes: number; chargedFen: number }): Promise<void> {
    await tx.updateTable('campus_network_sessions')
      .set((eb) => ({ minutes: usage.minutes, overrun_minutes: eb('overrun_minutes', '+', usage.overrunMinutes), charged_fen: eb('charged_fen', '+', usage.chargedFen) }))
      .where('id', '=', id).execute();
  },

  /** A device's month (opened at 0 if new) and what the whole month was charged, locked until commit. */
  async lockDeviceMonth(tx: Tx, studentId: string, month: string, mac: string): Promise<{ device: { minutes: number; paidHours: number }; monthChargedFen: number }> {
    await tx.insertInto('campus_network_months').values({ student_id: studentId, month }).onConflict((oc) => oc.doNothing()).execute();
    await tx.insertInto('campus_network_device_months').values({ student_id: studentId, month, device_mac: mac }).onConflict((oc) => oc.doNothing()).execute();
    const { rows } = await sql<{ minutes: number; paidHours: number; monthChargedFen: number }>`
      select d.minutes, d.paid_hours as "paidHours", m.charged_fen as "monthChargedFen"
      from campus_network_device_months d join campus_network_months m using (student_id, month)
      where d.student_id = ${studentId} and d.month = ${month} and d.device_mac = ${mac}
      for update`.execute(tx);
    const { minutes, paidHours, monthChargedFen } = rows[0]!;
    return { device: { minutes, paidHours }, monthChargedFen };
  },

  async saveDeviceMonth(tx: Tx, studentId: string, month: string, mac: string, device: { minutes: number; paidHours: number }, monthChargedFen: number): Promise<void> {
    await tx.updateTable('campus_network_device_months').set({ minutes: device.minutes, paid_hours: device.paidHours })
      .where('student_id', '=', studentId).where('month', '=', month).where('device_mac', '=', mac).execute();
    await tx.updateTable('campus_network_months').set({ charged_fen: monthChargedFen }).where('student_id', '=', studentId).where('month', '=', month).execute();
  },

  async monthChargedFen(db: DbOrTx, studentId: string, month: string): Promise<number> {
    const row = await db.selectFrom('campus_network_months').select('charged_fen').where('student_id', '=', studentId).where('month', '=', month).executeTakeFirst();
    return row?.charged_fen ?? 0;
  },

  deviceMonths(db: DbOrTx, studentId: string, month: string) {
    return db.selectFrom('campus_network_device_months').select(['device_mac', 'minutes', 'paid_hours']).where('student_id', '=', studentId).where('month', '=', month).orderBy('device_mac').execute();
  },
};

/** A student's bookings with their venue's name and kind. */
function bookingsOf(db: DbOrTx, studentId: string) {
  return db.selectFrom('campus_bookings as b').innerJoin('campus_venues as v', 'v.id', 'b.venue_id').selectAll('b').select(['v.name as venue_name', 'v.kind as venue_kind']).where('b.student_id', '=', studentId);
}
