import { electricityFenPerKwh, electricityKwhCenti } from '../../domain/campus-payments.js';
import { maskName } from '../../domain/masking.js';
import { recordAudit, systemActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { enqueueJob } from '../../platform/jobs.js';
import { assertSchoolAccess, consoleListScope } from '../../platform/access.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { verifyQueryPassword } from '../identity/change-password.js';
import { accountCodes, balanceOf, ensureAccount, findAccountByCode, postTransaction } from '../ledger/ledger.js';
import './campus.errors.js';
import { campusRepository as repo, type ElectricityPurchaseRow, type RoomRow } from './campus.repository.js';
import type { AdminElectricityPurchaseDto, ElectricityPurchaseDto, RoomDto } from './campus.schemas.js';
import { sandboxMeterHeadEnd, type MeterHeadEnd } from './meter-head-end.js';
import { campusCardOf, campusSchoolOf } from './payment-codes.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';

/** The job that sends a purchase to its room's meter. */
export const meterDeliveryJob = 'campus.meter-delivery';

type RoomName = Pick<RoomRow, 'id' | 'building' | 'room_no'>;

export const roomView = (room: RoomName): RoomDto => ({ id: room.id, building: room.building, roomNo: room.room_no });

function purchaseView(row: ElectricityPurchaseRow, room: RoomName, balanceAfterFen: number | null): ElectricityPurchaseDto {
  return {
    id: row.id, room: roomView(room), amountFen: row.amount_fen, priceFenPerKwh: row.price_fen_per_kwh, kwh: (row.kwh_centi / 100).toFixed(2),
    meterStatus: row.meter_status, createdAt: row.created_at.toISOString(), deliveredAt: row.delivered_at?.toISOString() ?? null, balanceAfterFen,
  };
}

/** The dorm rooms of the student's university, found by building or room number. */
export async function roomsOfMySchool(ctx: AppContext, caller: Caller, q: string | undefined): Promise<RoomDto[]> {
  return (await repo.rooms(ctx.db, await campusSchoolOf(ctx, caller), q?.trim() || undefined)).map(roomView);
}

/**
 * The school a console list is for: a card manager's own (whatever is asked), or the one an
 * operator names (CAMPUS_SCHOOL_REQUIRED without one).
 */
export function consoleSchoolOf(caller: Caller, schoolId: string | undefined): string {
  const chosen = caller.role === 'operator' ? schoolId : (caller.schoolId ?? undefined);
  if (!chosen) throw fail('CAMPUS_SCHOOL_REQUIRED');
  assertSchoolAccess(caller, chosen);
  return chosen;
}

/** The school's rooms with their meters, for the console. */
export async function schoolRooms(ctx: AppContext, caller: Caller, schoolId: string | undefined) {
  return (await repo.rooms(ctx.db, consoleSchoolOf(caller, schoolId), undefined)).map((r) => ({ ...roomView(r), meterNo: r.meter_no }));
}

/** An operator or the university's card manager registers a room and its meter. */
export async function addRoom(ctx: AppContext, caller: Caller, input: { schoolId: string; building: string; roomNo: string; meterNo: string }, requestId: string): Promise<RoomDto> {
  assertSchoolAccess(caller, input.schoolId);
  if (!(await repo.isCampusSchool(ctx.db, input.schoolId))) throw fail('CAMPUS_SCHOOL_INVALID', { schoolId: input.schoolId });
  const row = { id: newId(), school_id: input.schoolId, building: input.building, room_no: input.roomNo, meter_no: input.meterNo, created_at: ctx.clock.now() };
  return inTransaction(ctx.db, async (tx) => {
    if (!(await repo.insertRoom(tx, row))) throw fail('CAMPUS_ROOM_TAKEN', { building: input.building, roomNo: input.roomNo });
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.room.added', entityType: 'campus_room', entityId: row.id, after: input, requestId });
    return roomView(row);
  });
}

/**
 * 更换电表: the room's meter was replaced (or registered with a wrong number). Purchases already
 * delivered stay with the old meter; those still queued go to the new one at their next attempt,
 * and a failed one when staff send it again.
 */
export async function changeRoomMeter(ctx: AppContext, caller: Caller, roomId: string, meterNo: string, requestId: string) {
  return inTransaction(ctx.db, async (tx) => {
    const room = await repo.lockRoom(tx, roomId);
    if (!room) throw fail('NOT_FOUND', { entity: 'campus_room', roomId });
    assertSchoolAccess(caller, room.school_id);
    if (room.meter_no !== meterNo) {
      await repo.setMeter(tx, roomId, meterNo);
      await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.room.meter_changed', entityType: 'campus_room', entityId: roomId, before: { meterNo: room.meter_no }, after: { meterNo }, requestId });
    }
    return { ...roomView(room), meterNo };
  });
}

/** A room of the student's own university, or CAMPUS_ROOM_UNKNOWN. */
async function roomOfMySchool(ctx: AppContext, studentId: string, roomId: string): Promise<RoomRow> {
  const room = await repo.room(ctx.db, roomId);
  if (!room || room.school_id !== (await repo.payer(ctx.db, studentId)).school_id) throw fail('CAMPUS_ROOM_UNKNOWN', { roomId });
  return room;
}

/**
 * 宿舍电费预缴 (seed 004), before the purchase's transaction: a student of the room's university
 * with a campus card in use, a whole amount within the limits, and the query password (checked
 * here so that a wrong one is remembered).
 */
export async function checkElectricityPurchase(ctx: AppContext, caller: Caller, input: { roomId: string; amountFen: number; queryPassword: string }, source: string): Promise<void> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  electricityKwhCenti(input.amountFen, electricityFenPerKwh);
  await campusCardOf(ctx, caller.subjectId);
  await roomOfMySchool(ctx, caller.subjectId, input.roomId);
  await verifyQueryPassword(ctx, caller.subjectId, input.queryPassword, source);
}

/**
 * The purchase, in the request's transaction: the purse pays `merchant:electricity.<school>` and
 * the kWh are queued for the room's meter (a job sends them). Not refundable: the seed says so,
 * and nothing here can take energy back from a meter.
 */
export async function recordElectricityPurchase(ctx: AppContext, caller: Caller, input: { roomId: string; amountFen: number }, requestId: string): Promise<ElectricityPurchaseDto> {
  const card = await campusCardOf(ctx, caller.subjectId);
  const room = await roomOfMySchool(ctx, caller.subjectId, input.roomId);
  const locked = await cardsRepository.lockCard(ctx.db, card.id);
  if (!locked || locked.status !== 'active') throw fail('CAMPUS_CARD_NOT_IN_USE');
  const id = newId();
  const now = ctx.clock.now();
  const actor = { role: caller.role, id: caller.subjectId };
  const kwhCenti = electricityKwhCenti(input.amountFen, electricityFenPerKwh);
  const purse = await findAccountByCode(ctx.db, accountCodes.purse(card.id));
  const merchant = await ensureAccount(ctx.db, ctx.clock, { code: accountCodes.merchant(`electricity.${room.school_id}`), type: 'merchant', actor });
  const txn = await postTransaction(ctx.db, ctx.clock, {
    idempotencyKey: `campus-electricity:${id}`,
    type: 'purchase',
    postings: [{ accountId: purse.id, debitFen: input.amountFen }, { accountId: merchant.id, creditFen: input.amountFen }],
    memo: `宿舍电费 ${room.building} ${room.room_no}`,
    metadata: { roomId: room.id, kwhCenti },
    actor,
  });
  const row = { id, room_id: room.id, student_id: caller.subjectId, card_id: card.id, amount_fen: input.amountFen, price_fen_per_kwh: electricityFenPerKwh, kwh_centi: kwhCenti, ledger_transaction_id: txn.id, meter_status: 'queued' as const, meter_error: null, created_at: now, delivered_at: null, delivered_meter_no: null };
  await repo.insertElectricityPurchase(ctx.db, row);
  await enqueueJob(ctx.db, ctx.clock, meterDeliveryJob, { purchaseId: id });
  await recordAudit(ctx.db, ctx.clock, { actor, action: 'campus.electricity.bought', entityType: 'campus_room', entityId: room.id, after: { purchaseId: id, amountFen: input.amountFen, kwhCenti, cardId: card.id }, requestId });
  return purchaseView(row, room, (await balanceOf(ctx.db, purse.id)).availableFen);
}

/** The student's own electricity purchases, newest first. */
export async function myElectricityPurchases(ctx: AppContext, caller: Caller): Promise<ElectricityPurchaseDto[]> {
  await campusSchoolOf(ctx, caller);
  const rows = await repo.electricityPurchasesOf(ctx.db, caller.subjectId);
  return rows.map((r) => purchaseView(r, { id: r.room_id, building: r.building, room_no: r.room_no }, null));
}

type ConsolePurchaseRow = Awaited<ReturnType<typeof repo.schoolElectricityPurchases>>['items'][number];

function consolePurchaseView(row: ConsolePurchaseRow): AdminElectricityPurchaseDto {
  const { balanceAfterFen: _, ...view } = purchaseView(row, { id: row.room_id, building: row.building, room_no: row.room_no }, null);
  // Delivered: the meter that took it; else the room's meter now, where it will go.
  return { ...view, schoolName: row.school_name, meterNo: row.delivered_meter_no ?? row.meter_no, studentNameMasked: maskName(row.student_name), meterError: row.meter_error };
}

/** 宿舍电费 in the console: the school's purchases, newest first; `failed` lists those to put right. */
export async function schoolElectricityPurchases(ctx: AppContext, caller: Caller, filter: { schoolId?: string | undefined; status?: AdminElectricityPurchaseDto['meterStatus'] | undefined }, page: PageQuery) {
  const { items, total } = await repo.schoolElectricityPurchases(ctx.db, consoleListScope(caller, filter.schoolId), { status: filter.status }, { limit: page.pageSize, offset: offsetOf(page) });
  return { items: items.map(consolePurchaseView), total, page: page.page, pageSize: page.pageSize };
}

/**
 * 重新下发: once staff have put the meter right (power, wiring, the head-end), a failed purchase
 * goes back in the meter's queue and the delivery job tries it again from its first attempt.
 * Only a failed one: a queued one is already on its way, a delivered one must not be sent twice.
 */
export async function resendToMeter(ctx: AppContext, caller: Caller, purchaseId: string, requestId: string): Promise<AdminElectricityPurchaseDto> {
  const purchase = await repo.purchaseForMeter(ctx.db, purchaseId);
  if (!purchase) throw fail('NOT_FOUND', { entity: 'campus_electricity_purchase', purchaseId });
  assertSchoolAccess(caller, purchase.school_id);
  await inTransaction(ctx.db, async (tx) => {
    if (!(await repo.requeueFailedMeter(tx, purchaseId))) throw fail('CAMPUS_METER_NOT_FAILED', { purchaseId });
    await enqueueJob(tx, ctx.clock, meterDeliveryJob, { purchaseId });
    await recordAudit(tx, ctx.clock, {
      actor: { role: caller.role, id: caller.subjectId }, action: 'campus.electricity.resent', entityType: 'campus_electricity_purchase', entityId: purchaseId,
      before: { meterStatus: 'failed', error: purchase.meter_error }, after: { meterStatus: 'queued', meterNo: purchase.meter_no }, requestId,
    });
  });
  const { items } = await repo.schoolElectricityPurchases(ctx.db, purchase.school_id, { id: purchaseId }, { limit: 1, offset: 0 });
  return consolePurchaseView(items[0]!);
}

/**
 * Sends a purchase to its room's meter through the head-end (outside any transaction) and marks it
 * delivered. A failure is thrown, so the job runner tries again later; on the job's last attempt
 * the purchase is marked failed first, so the student sees it and reports it (网上报修).
 */
export async function deliverToMeter(ctx: AppContext, purchaseId: string, options: { lastAttempt: boolean; headEnd?: MeterHeadEnd } = { lastAttempt: false }): Promise<void> {
  const purchase = await repo.purchaseForMeter(ctx.db, purchaseId);
  if (!purchase || purchase.meter_status !== 'queued') return;
  try {
    // One command per purchase and meter: a retry to the same meter repeats it harmlessly, and a
    // replaced meter gets a command of its own, which the head-end cannot take for the old one's.
    await (options.headEnd ?? sandboxMeterHeadEnd).credit(purchase.meter_no, purchase.kwh_centi, `${purchase.id}@${purchase.meter_no}`);
  } catch (error) {
    if (options.lastAttempt) {
      const reason = error instanceof Error ? error.message : String(error);
      await inTransaction(ctx.db, async (tx) => {
        if (await repo.markMeterFailed(tx, purchaseId, reason)) {
          await recordAudit(tx, ctx.clock, { actor: systemActor, action: 'campus.electricity.meter_failed', entityType: 'campus_electricity_purchase', entityId: purchaseId, after: { meterNo: purchase.meter_no, error: reason }, requestId: null });
        }
      });
    }
    throw error;
  }
  await inTransaction(ctx.db, async (tx) => {
    if (await repo.markDelivered(tx, purchaseId, ctx.clock.now(), purchase.meter_no)) {
      await recordAudit(tx, ctx.clock, { actor: systemActor, action: 'campus.electricity.delivered', entityType: 'campus_electricity_purchase', entityId: purchaseId, after: { meterNo: purchase.meter_no }, requestId: null });
    }
  });
}
