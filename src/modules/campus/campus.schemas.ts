import { z } from 'zod';
import { controlCharacter } from '../../platform/text.js';
import { repairCategories } from '../../domain/campus-payments.js';
import { pageQuerySchema } from '../shared/pagination.js';

/**
 * Campus payments (seed 004):
 *   POST /campus/payment-codes            { queryPassword }             → 201 paymentCodeSchema (the student's 消费认证码, a minute, single use)
 *   PUT  /campus/purchase-limit           { limitFen, queryPassword }   → purchaseLimitSchema (单笔限额)
 *   GET  /campus/purchase-limit                                         → purchaseLimitSchema
 *   GET|PUT|DELETE /me/children/:studentId/campus-daily-limit { limitFen } → dailyLimitSchema (每日消费限额, a bound parent)
 *   POST /terminals/:terminalId/purchases posPurchaseSchema             → 201 posPurchaseResultSchema (canteen POS)
 *   POST /terminals/:terminalId/hot-water { cardNo }                    → hotWaterSchema (dorm reader: may water run?)
 *   GET  /campus/rooms?q=                                               → { items: roomSchema[] } (the student's university)
 *   POST /campus/electricity  { roomId, amountFen, queryPassword }      → 201 electricityPurchaseSchema (宿舍电费预缴)
 *   GET  /campus/electricity                                            → { items: electricityPurchaseSchema[] } (the student's own)
 *   POST /admin/campus/rooms  { schoolId, building, roomNo, meterNo }   → 201 roomSchema (operators, the school's card manager)
 *   PUT  /admin/campus/rooms/:roomId/meter { meterNo }                  → adminRoomSchema (更换电表: the room's new meter)
 *   GET  /admin/campus/electricity?schoolId=&status=                   → page of adminElectricityPurchaseSchema (宿舍电费, the school's staff)
 *   POST /admin/campus/electricity/:id/resend                          → adminElectricityPurchaseSchema (重新下发 a failed one)
 *   POST /campus/repairs      reportRepairSchema                        → 201 repairSchema (网上报修)
 *   GET  /campus/repairs                                                → { items: repairSchema[] } (the student's own)
 *   POST /campus/repairs/:repairId/cancel                               → repairSchema (the student, before staff take it on)
 *   GET  /admin/campus/repairs?schoolId=&status=                        → page of repairSchema (the school's staff)
 *   POST /admin/campus/repairs/:repairId/{accept,finish} { note? }      → repairSchema
 *   GET  /campus/venues?kind=piano_room|sports_court                    → { items: venueSchema[], days } (琴房预订 / 预订场馆: those open to the student)
 *   GET  /campus/venues/:venueId/slots?date=                            → { items: slotSchema[] }
 *   POST /campus/bookings     { venueId, date, hour }                   → 201 bookingSchema
 *   GET  /campus/bookings                                               → { items: bookingSchema[] } (the student's, still to come)
 *   POST /campus/bookings/:bookingId/cancel                             → bookingSchema
 *   POST /admin/campus/venues { schoolId, kind, name, colleges, majors } → 201 venueSchema
 *   PUT  /admin/campus/venues/:venueId/audience { colleges, majors }    → venueSchema (whom it is kept for; both empty: everyone)
 *   POST /terminals/:terminalId/network/sessions networkSignOnSchema    → 201 networkGatewayAnswerSchema (校园网 gateway: a device signs on)
 *   POST /terminals/:terminalId/network/sessions/:sessionId/usage { minutes, final } → networkGatewayAnswerSchema
 *   POST /terminals/:terminalId/purchases/:purchaseId/cancel            → posRefundResultSchema (撤销: the same POS, the same day)
 *   GET  /admin/campus/purchases?schoolId=&cardNo=                      → page of canteenPurchaseSchema (the school's staff)
 *   POST /admin/campus/purchases/:id/refund { reason }                  → canteenPurchaseSchema (退款, any day)
 *   GET  /campus/network                                                → networkOverviewSchema (the student's network account and month)
 *   POST /campus/network/top-ups { amountFen, queryPassword }           → 201 { balanceFen, campusBalanceFen } (校园网充值 from the campus card)
 *   POST /campus/network/sessions/:sessionId/sign-off                   → networkSessionSchema (强制下线)
 *   POST /campus/network/balance-return                                  → networkBalanceReturnSchema (网费转回校园卡, no device online)
 */

const sixDigits = z.string().regex(/^\d{6}$/, '6 digits');
/** Text the database stores: one line without control characters, or (multiLine) lines without NUL, which PostgreSQL refuses. */
const singleLine = (max: number) => z.string().trim().min(1).max(max).refine((s) => !controlCharacter.test(s), 'no control characters');
const multiLine = (max: number) => z.string().trim().min(1).max(max).refine((s) => !s.includes('\u0000'), 'no NUL characters');
/** A Beijing date a booking can name: a real day of this century (PostgreSQL refuses year 0). */
const bookingDate = z.iso.date().refine((d) => d >= '2000-01-01' && d <= '2099-12-31', 'a date of this century');

export const issuePaymentCodeSchema = z.object({ queryPassword: sixDigits });

export const paymentCodeSchema = z.object({
  code: z.string(),
  expiresAt: z.string(),
  /** How long it lives from now: a phone counts down from this, whatever its own clock says. */
  validForSeconds: z.number().int(),
  cardId: z.string(),
  cardNoMasked: z.string(),
  balanceFen: z.number().int(),
  purchaseLimitFen: z.number().int(),
});

export const purchaseLimitSchema = z.object({ limitFen: z.number().int(), maxFen: z.number().int(), dailyLimitFen: z.number().int().nullable(), spentTodayFen: z.number().int() });
export const dailyLimitSchema = z.object({ limitFen: z.number().int().nullable(), spentTodayFen: z.number().int(), minFen: z.number().int(), maxFen: z.number().int() });
export const setDailyLimitSchema = z.object({ limitFen: z.number().int() });
export const setPurchaseLimitSchema = z.object({ limitFen: z.number().int(), queryPassword: sixDigits });

export const terminalParams = z.object({ terminalId: z.uuid() });

export const posPurchaseSchema = z.object({
  /** Chosen by the POS before it asks, so that a retry after a lost answer charges nothing more. */
  purchaseId: z.string().trim().regex(/^[A-Za-z0-9_-]{8,64}$/),
  amountFen: z.number().int().positive().max(100_000),
  /** The card read at the POS, or the payment code scanned from the app: exactly one. */
  cardNo: z.string().trim().regex(/^\d{11,19}$/).optional(),
  paymentCode: z.string().trim().regex(/^\d{18}$/).optional(),
  /** Asked for only above the student's per-purchase limit. */
  consumptionPin: sixDigits.optional(),
});

export const posPurchaseResultSchema = z.object({
  purchaseId: z.string(),
  amountFen: z.number().int(),
  balanceAfterFen: z.number().int(),
  method: z.enum(['card', 'payment_code']),
  pinChecked: z.boolean(),
  holderNameMasked: z.string(),
  cardNoMasked: z.string(),
  at: z.string(),
});

export const hotWaterRequestSchema = z.object({ cardNo: z.string().trim().regex(/^\d{11,19}$/) });
export const hotWaterSchema = z.object({ allowed: z.boolean(), reason: z.enum(['ok', 'card_not_usable', 'balance_low']), minBalanceFen: z.number().int() });

export const roomSchema = z.object({ id: z.string(), building: z.string(), roomNo: z.string() });
export const roomQuerySchema = z.object({ q: z.string().trim().max(32).refine((s) => !controlCharacter.test(s), 'no control characters').optional() });
export const addRoomSchema = z.object({
  schoolId: z.uuid(),
  building: singleLine(32),
  roomNo: z.string().trim().regex(/^[A-Za-z0-9-]{1,16}$/),
  meterNo: z.string().trim().regex(/^[A-Za-z0-9-]{4,32}$/),
});
export const buyElectricitySchema = z.object({ roomId: z.uuid(), amountFen: z.number().int(), queryPassword: sixDigits });
export const electricityPurchaseSchema = z.object({
  id: z.string(),
  room: roomSchema,
  amountFen: z.number().int(),
  priceFenPerKwh: z.number().int(),
  /** kWh sent to the meter, two decimals. */
  kwh: z.string(),
  meterStatus: z.enum(['queued', 'delivered', 'failed']),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  /** The campus card's balance right after (in the purchase's answer only). */
  balanceAfterFen: z.number().int().nullable(),
});

/** A purchase as the console lists it: whose, which meter, and why the meter has not taken it. */
export const adminElectricityPurchaseSchema = electricityPurchaseSchema.omit({ balanceAfterFen: true }).extend({
  schoolName: z.string(),
  /** Delivered: the meter that took it; else the room's meter now, where it goes next. */
  meterNo: z.string(),
  studentNameMasked: z.string(),
  /** The head-end's last answer when the meter never took it (status failed). */
  meterError: z.string().nullable(),
});
export const networkBalanceReturnSchema = z.object({ movedFen: z.number().int(), balanceFen: z.number().int(), campusBalanceFen: z.number().int() });
export const adminElectricityQuerySchema = pageQuerySchema.extend({ schoolId: z.uuid().optional(), status: z.enum(['queued', 'delivered', 'failed']).optional() });
export type AdminElectricityPurchaseDto = z.infer<typeof adminElectricityPurchaseSchema>;

export const repairCategorySchema = z.enum(repairCategories);
export const repairStatusSchema = z.enum(['submitted', 'accepted', 'done', 'cancelled']);
export const reportRepairSchema = z.object({
  category: repairCategorySchema,
  location: singleLine(64),
  description: multiLine(500),
});
export const repairSchema = z.object({
  id: z.string(),
  category: repairCategorySchema,
  location: z.string(),
  description: z.string(),
  status: repairStatusSchema,
  /** What staff wrote when taking it on or finishing it. */
  staffNote: z.string().nullable(),
  /** For the school's staff only (masked); null in the student's own list. */
  studentNameMasked: z.string().nullable(),
  /** For the school's staff only; null in the student's own list. */
  schoolName: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const repairParams = z.object({ repairId: z.uuid() });
export const repairNoteSchema = z.object({ note: multiLine(200).optional() });
/** A card manager sees their own school's; an operator every school's, or the one named. */
export const adminRepairQuerySchema = pageQuerySchema.extend({ schoolId: z.uuid().optional(), status: repairStatusSchema.optional() });

/** 琴房 (practice rooms) or 场馆 (sports venues): each booked on its own page, with its own limit. */
export const venueKindSchema = z.enum(['piano_room', 'sports_court']);
export const venueSchema = z.object({
  id: z.string(), kind: venueKindSchema, name: z.string(),
  /** 院系 whose students may book it (琴房: 音乐学院); with no majors either, the whole university. */
  colleges: z.array(z.string()),
  /** 专业 whose students may book it too, whatever their college (琴房: the music majors of another college, seed 004). */
  majors: z.array(z.string()),
});
export const venueQuerySchema = z.object({ kind: venueKindSchema.default('piano_room') });
export const venueParams = z.object({ venueId: z.uuid() });
export const slotQuerySchema = z.object({ date: bookingDate });
export const slotSchema = z.object({ hour: z.number().int(), state: z.enum(['free', 'taken', 'mine']), bookable: z.boolean() });
export const bookVenueSchema = z.object({ venueId: z.uuid(), date: bookingDate, hour: z.number().int() });
export const bookingSchema = z.object({
  id: z.string(), venueId: z.string(), venueName: z.string(), venueKind: venueKindSchema, date: z.string(), hour: z.number().int(), startsAt: z.string(), status: z.enum(['booked', 'cancelled']),
});
export const bookingParams = z.object({ bookingId: z.uuid() });
/** Names of colleges (at most 8) and majors (at most 16), each 1–32 characters, the same name once. */
const namesOf = (max: number) => z.array(singleLine(32)).max(max).default([]).transform((names) => [...new Set(names)]);
export const venueAudienceSchema = z.object({ colleges: namesOf(8), majors: namesOf(16) });
export const addVenueSchema = z.object({
  schoolId: z.uuid(), kind: venueKindSchema.default('piano_room'), name: singleLine(32),
}).extend(venueAudienceSchema.shape);

export type VenueDto = z.infer<typeof venueSchema>;
export type SlotDto = z.infer<typeof slotSchema>;
export type BookingDto = z.infer<typeof bookingSchema>;
export type RepairDto = z.infer<typeof repairSchema>;
/** The console's view of a room: its meter too. */
export const adminRoomSchema = roomSchema.extend({ meterNo: z.string() });
export const roomParams = z.object({ roomId: z.uuid() });
export const changeMeterSchema = addRoomSchema.pick({ meterNo: true });
/** A card manager lists their own school's; an operator names the school. */
export const adminSchoolQuerySchema = z.object({ schoolId: z.uuid().optional() });

export type RoomDto = z.infer<typeof roomSchema>;
export type ElectricityPurchaseDto = z.infer<typeof electricityPurchaseSchema>;
export type PaymentCodeDto = z.infer<typeof paymentCodeSchema>;
export type PosPurchase = z.infer<typeof posPurchaseSchema>;
export type PosPurchaseResult = z.infer<typeof posPurchaseResultSchema>;
export type HotWaterDto = z.infer<typeof hotWaterSchema>;

/** A device's MAC address as the gateway reads it; stored upper-case with colons. */
const macAddress = z.string().trim().regex(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/, 'a MAC address such as 3C:22:FB:12:34:56').transform((s) => s.toUpperCase().replaceAll('-', ':'));
const gatewaySessionId = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, '1–64 letters, digits or _ . : -');

export const networkSignOnSchema = z.object({
  /** The gateway's own id for the session (RADIUS Acct-Session-Id): a retry with it is the same session. */
  sessionId: gatewaySessionId,
  /** The student number or ID number the student signs on with. */
  account: z.string().trim().min(1).max(32),
  password: sixDigits,
  mac: macAddress,
});
export type NetworkSignOn = z.infer<typeof networkSignOnSchema>;

export const networkUsageSchema = z.object({
  /** Minutes the device has been on since it signed on (the gateway's count). */
  minutes: z.number().int().min(0).max(60 * 24 * 366),
  /** The device went off: this is the session's last report. */
  final: z.boolean().default(false),
});
export type NetworkUsageReport = z.infer<typeof networkUsageSchema>;

export const networkSessionParams = z.object({ terminalId: z.uuid(), sessionId: gatewaySessionId });
export const networkSessionIdParams = z.object({ sessionId: z.uuid() });

const networkEndReason = z.enum(['signed_off', 'no_balance', 'replaced', 'expired', 'kicked']);

export const networkGatewayAnswerSchema = z.object({
  sessionId: z.string(),
  /** Minutes the device may stay on before the next report (Session-Timeout); 0: sign it off now. */
  minutesLeft: z.number().int(),
  chargedFen: z.number().int(),
  balanceFen: z.number().int(),
  monthChargedFen: z.number().int(),
  ended: z.boolean(),
  endReason: networkEndReason.nullable(),
});
export type NetworkGatewayAnswer = z.infer<typeof networkGatewayAnswerSchema>;

export const networkSessionSchema = z.object({
  id: z.uuid(),
  deviceMac: z.string(),
  gatewayCode: z.string(),
  startedAt: z.string(),
  minutes: z.number().int(),
  chargedFen: z.number().int(),
  online: z.boolean(),
  endedAt: z.string().nullable(),
  endReason: networkEndReason.nullable(),
});
export type NetworkSessionDto = z.infer<typeof networkSessionSchema>;

export const networkOverviewSchema = z.object({
  balanceFen: z.number().int(),
  month: z.string(),
  monthChargedFen: z.number().int(),
  monthlyCapFen: z.number().int(),
  fenPerDeviceHour: z.number().int(),
  maxDevices: z.number().int(),
  devices: z.array(z.object({ deviceMac: z.string(), minutes: z.number().int(), paidHours: z.number().int() })),
  sessions: z.array(networkSessionSchema),
});
export type NetworkOverviewDto = z.infer<typeof networkOverviewSchema>;

export const networkTopUpSchema = z.object({ amountFen: z.number().int(), queryPassword: sixDigits });
export const networkTopUpResultSchema = z.object({ balanceFen: z.number().int(), campusBalanceFen: z.number().int() });

export const posPurchaseParams = z.object({ terminalId: z.uuid(), purchaseId: z.string().trim().regex(/^[A-Za-z0-9_-]{8,64}$/) });

export const posRefundResultSchema = z.object({ purchaseId: z.string(), amountFen: z.number().int(), refundedAt: z.string(), balanceAfterFen: z.number().int() });
export type PosRefundResult = z.infer<typeof posRefundResultSchema>;

export const canteenPurchaseSchema = z.object({
  id: z.uuid(),
  purchaseId: z.string(),
  schoolName: z.string(),
  terminalCode: z.string(),
  merchant: z.string(),
  studentNameMasked: z.string(),
  cardNoMasked: z.string(),
  amountFen: z.number().int(),
  method: z.enum(['card', 'payment_code']),
  at: z.string(),
  refundedAt: z.string().nullable(),
  refundReason: z.string().nullable(),
});
export type CanteenPurchaseDto = z.infer<typeof canteenPurchaseSchema>;

export const adminPurchaseQuerySchema = pageQuerySchema.extend({ schoolId: z.uuid().optional(), cardNo: z.string().trim().regex(/^\d{11,19}$/).optional() });
export const purchaseIdParams = z.object({ id: z.uuid() });
export const refundReasonSchema = z.object({ reason: singleLine(200) });

/** 借阅图书 (seed 004): the library's books, the student's loans, fines. */
const barcode = z.string().trim().regex(/^[0-9A-Za-z-]{4,32}$/);
export const libraryBookSchema = z.object({
  id: z.string(), barcode: z.string(), title: z.string(), author: z.string().nullable(), callNo: z.string().nullable(),
  available: z.boolean(),
  /** On loan: when it is due back (who has it is not shown). */
  dueOn: z.string().nullable(),
});
export const libraryBookQuerySchema = z.object({ q: z.string().trim().max(50).optional() });
export const libraryLoanSchema = z.object({
  id: z.string(), bookId: z.string(), barcode: z.string(), title: z.string(), author: z.string().nullable(),
  borrowedAt: z.string(), dueOn: z.string(), renewals: z.number().int(), renewable: z.boolean(), overdue: z.boolean(),
  returnedAt: z.string().nullable(), fineFen: z.number().int(), finePaid: z.boolean(),
});
export const libraryLoansSchema = z.object({ items: z.array(libraryLoanSchema), finesOwedFen: z.number().int(), onLoan: z.number().int(), maxLoans: z.number().int() });
export const borrowBookSchema = z.object({ barcode });
export const loanParams = z.object({ loanId: z.uuid() });
export const payLibraryFinesSchema = z.object({ queryPassword: sixDigits });
export const adminLibraryBookSchema = libraryBookSchema.extend({ schoolName: z.string(), borrowerNameMasked: z.string().nullable(), overdue: z.boolean() });
export const adminLibraryBookQuerySchema = pageQuerySchema.extend({ schoolId: z.uuid().optional(), q: z.string().trim().max(50).optional() });
export const addLibraryBookSchema = z.object({
  schoolId: z.uuid(), barcode, title: z.string().trim().min(1).max(200), author: z.string().trim().max(100).optional(), callNo: z.string().trim().max(40).optional(),
});
export const returnLibraryBookSchema = z.object({ schoolId: z.uuid().optional(), barcode });
export const libraryReturnSchema = z.object({
  loanId: z.string(), barcode: z.string(), title: z.string(), borrowerNameMasked: z.string(), dueOn: z.string(), returnedAt: z.string(), daysLate: z.number().int(), fineFen: z.number().int(),
});
export type LibraryBookDto = z.infer<typeof libraryBookSchema>;
export type LibraryLoanDto = z.infer<typeof libraryLoanSchema>;
export type AdminLibraryBookDto = z.infer<typeof adminLibraryBookSchema>;
export type LibraryReturnDto = z.infer<typeof libraryReturnSchema>;
