import { addDays, shanghaiDate, shanghaiMonthRange } from './calendar.js';
import { DomainError } from './errors.js';

/**
 * Campus payment rules (seed 004; domain rules "Campus payments"). Pure: no I/O.
 *
 * - Canteen POS: over the student's per-purchase limit (单笔限额) the consumption password is
 *   asked for; at or under it, the card or the payment code alone pays.
 * - The app's payment code (消费认证码) lives a minute and pays once.
 * - Hot water is free for now, but the dorm reader lets water run only while the campus account
 *   holds at least ¥0.10.
 * - Campus network: ¥0.30 per hour per device, at most 2 devices of a user on at once, at most ¥40.00 a
 *   month. An hour begun is an hour billed, per device and month (the seed's "按每个终端0.30元/每小时").
 * - Dorm electricity: prepaid per room at the school's price per kWh; what is bought is sent to the
 *   meter and not refunded. The meter gets whole hundredths of a kWh, rounded down (the card
 *   centre never promises more than was paid for).
 */

/** Universities and vocational colleges: the schools with campus cards and campus services (seed 004). */
export function isCampusStage(stage: string | null | undefined): boolean {
  return stage === 'university' || stage === 'vocational';
}

export const paymentCodeTtlMs = 60_000;

/**
 * 网上报修: a report is submitted, taken on (accepted) and done by staff; the student may
 * withdraw it (cancelled) until staff take it on.
 */
export const repairCategories = ['water', 'power', 'facility', 'network', 'telecom'] as const;
export type RepairCategory = (typeof repairCategories)[number];
export type RepairStatus = 'submitted' | 'accepted' | 'done' | 'cancelled';
export type RepairEvent = 'accept' | 'finish' | 'cancel';
const repairMoves: Record<RepairEvent, Partial<Record<RepairStatus, RepairStatus>>> = {
  accept: { submitted: 'accepted' },
  finish: { submitted: 'done', accepted: 'done' },
  cancel: { submitted: 'cancelled' },
};

/** The status after `event`, or REPAIR_TRANSITION_INVALID. */
export function nextRepairStatus(status: RepairStatus, event: RepairEvent): RepairStatus {
  const next = repairMoves[event][status];
  if (!next) throw new DomainError('REPAIR_TRANSITION_INVALID', '报修单当前状态不能进行此操作', 'The repair report cannot do that in its present status', { status, event });
  return next;
}
export const defaultPurchaseLimitFen = 5_000;
export const hotWaterMinBalanceFen = 10;
export const networkFenPerDeviceHour = 30;
export const networkMaxDevices = 2;
export const networkMonthlyCapFen = 4_000;
/** 校园网充值 from the campus card: ¥1 to ¥200 at a time (five months' cap). */
export const networkTopUpMinFen = 100;
export const networkTopUpMaxFen = 20_000;

/**
 * 琴房预订 (seed 004): a practice room is booked by the hour, from 08:00 (the first slot) to 22:00
 * (the last one starts at 21:00), Beijing time, from today up to 7 days ahead, for a slot not yet
 * begun; a student holds at most 2 bookings still to come, and may cancel one before it begins.
 */
export const bookingFirstHour = 8;
export const bookingLastHour = 21;
export const bookingDaysAhead = 7;
export const bookingsPerStudent = 2;

/** The start of a slot (date in Beijing, hour 0–23) as an instant. */
export function slotStart(date: string, hour: number): Date {
  return new Date(`${date}T${String(hour).padStart(2, '0')}:00:00+08:00`);
}

/** Why a slot cannot be booked now, or null when it can (free and the student's count aside). */
export function bookingRefusal(date: string, hour: number, now: Date): 'BOOKING_HOUR' | 'BOOKING_TOO_LATE' | 'BOOKING_TOO_EARLY' | null {
  if (!Number.isInteger(hour) || hour < bookingFirstHour || hour > bookingLastHour) return 'BOOKING_HOUR';
  if (slotStart(date, hour).getTime() <= now.getTime()) return 'BOOKING_TOO_LATE';
  if (date > addDays(shanghaiDate(now), bookingDaysAhead)) return 'BOOKING_TOO_EARLY';
  return null;
}

/** The price per kWh of dorm electricity beyond the free allowance (the school's; one price today). */
export const electricityFenPerKwh = 50;
export const electricityMinFen = 100;
export const electricityMaxFen = 50_000;

/** Hundredths of a kWh that `amountFen` buys at `fenPerKwh`, rounded down. */
export function electricityKwhCenti(amountFen: number, fenPerKwh: number): number {
  if (!Number.isSafeInteger(amountFen) || amountFen < electricityMinFen || amountFen > electricityMaxFen) {
    throw new DomainError('CAMPUS_ELECTRICITY_AMOUNT', '电费金额须在 1 至 500 元之间', 'Electricity is bought for ¥1 to ¥500 at a time', { amountFen });
  }
  return Math.floor((amountFen * 100) / fenPerKwh);
}

/** Whether a purchase of `amountFen` needs the consumption password under `limitFen`. */
export function needsConsumptionPin(amountFen: number, limitFen: number): boolean {
  return amountFen > limitFen;
}

/** Whether the dorm reader may let hot water run for an account holding `balanceFen`. */
export function hotWaterAllowed(balanceFen: number): boolean {
  return balanceFen >= hotWaterMinBalanceFen;
}

/** Whether one more device may sign on to the campus network while `onlineDevices` are on. */
export function networkDeviceAllowed(onlineDevices: number): boolean {
  return onlineDevices < networkMaxDevices;
}

export interface NetworkMonthCharge {
  /** Hours billed per device: its minutes of the month, rounded up to the hour. */
  billedHours: number[];
  /** What the hours come to before the cap. */
  uncappedFen: number;
  chargeFen: number;
  capped: boolean;
}

/**
 * A user's campus network charge for a month, from each device's minutes online that month (any
 * number of devices over the month; at most two at once, see networkDeviceAllowed): the rule as
 * the seed states it. Billing runs hour by hour (networkAdvance); the property test holds it to this.
 */
export function networkMonthCharge(minutesByDevice: readonly number[]): NetworkMonthCharge {
  for (const minutes of minutesByDevice) assertNetworkMinutes(minutes);
  const billedHours = minutesByDevice.map((minutes) => Math.ceil(minutes / 60));
  const uncappedFen = billedHours.reduce((sum, hours) => sum + hours * networkFenPerDeviceHour, 0);
  return { billedHours, uncappedFen, chargeFen: Math.min(uncappedFen, networkMonthlyCapFen), capped: uncappedFen > networkMonthlyCapFen };
}

function assertNetworkMinutes(minutes: number): void {
  if (!Number.isSafeInteger(minutes) || minutes < 0) throw new DomainError('CAMPUS_NETWORK_MINUTES', '上网时长必须是非负整数分钟', 'Minutes online must be a whole, non-negative number', { minutes });
}

/** One device's month on the campus network: minutes online, and the hours bought for it. */
export interface DeviceMonth {
  minutes: number;
  paidHours: number;
}

/** What the next device-hour costs in a month already charged `monthChargedFen`: ¥0.30, less near the cap, nothing once it is reached. */
export function networkHourPriceFen(monthChargedFen: number): number {
  return Math.max(0, Math.min(networkFenPerDeviceHour, networkMonthlyCapFen - monthChargedFen));
}

export interface NetworkAdvance {
  device: DeviceMonth;
  /** What this step charged (0 or the price of one hour). */
  chargeFen: number;
  /** Minutes reported beyond the hours paid for: the gateway kept the device on past its time; never billed. */
  overrunMinutes: number;
  /** Minutes the device may stay on before it must report again (0: sign it off now). */
  minutesLeft: number;
}

/**
 * Prepaid time billing (the seed's 计时收费, with the gateway's Session-Timeout): a device buys an
 * hour as the hour begins, at sign-on and whenever it stays on past the hours it has. Its minutes
 * count up to the hours paid for; the month's charge never passes the cap (then hours cost nothing).
 * When the balance cannot pay for the next hour the device must go off (minutesLeft 0). So the
 * month's charge is networkMonthCharge of the minutes, plus at most the hour a device began
 * exactly as it went off.
 */
export function networkAdvance(input: { device: DeviceMonth; addMinutes: number; stayOn: boolean; monthChargedFen: number; balanceFen: number }): NetworkAdvance {
  assertNetworkMinutes(input.addMinutes);
  const paidMinutes = input.device.paidHours * 60;
  const minutes = Math.min(input.device.minutes + input.addMinutes, paidMinutes);
  const overrunMinutes = input.device.minutes + input.addMinutes - minutes;
  let device = { minutes, paidHours: input.device.paidHours };
  let chargeFen = 0;
  if (input.stayOn && minutes === paidMinutes) {
    const price = networkHourPriceFen(input.monthChargedFen);
    if (price <= input.balanceFen) {
      device = { minutes, paidHours: device.paidHours + 1 };
      chargeFen = price;
    }
  }
  return { device, chargeFen, overrunMinutes, minutesLeft: input.stayOn ? device.paidHours * 60 - minutes : 0 };
}

export const minuteMs = 60_000;

/**
 * The minutes [fromMinute, toMinute) of a session begun at `startedAt`, by Beijing month (a
 * minute counts in the month it starts in), ending with the month of minute `toMinute` (the one a
 * device still on is in, with 0 minutes if none of the range falls in it).
 */
export function minutesByMonth(startedAt: Date, fromMinute: number, toMinute: number): { month: string; minutes: number }[] {
  const parts: { month: string; minutes: number }[] = [];
  for (let cursor = fromMinute; cursor < toMinute; ) {
    const at = new Date(startedAt.getTime() + cursor * minuteMs);
    const { month, to } = shanghaiMonthRange(at);
    const minutes = Math.min(toMinute - cursor, Math.ceil((to.getTime() - at.getTime()) / minuteMs));
    parts.push({ month, minutes });
    cursor += minutes;
  }
  const current = shanghaiMonthRange(new Date(startedAt.getTime() + toMinute * minuteMs)).month;
  if (parts.at(-1)?.month !== current) parts.push({ month: current, minutes: 0 });
  return parts;
}

/** Whole minutes from minute `minute` of a session begun at `startedAt` to the end of its Beijing month (a new month's hours are bought anew). */
export function minutesToMonthEnd(startedAt: Date, minute: number): number {
  const at = new Date(startedAt.getTime() + minute * minuteMs);
  return Math.ceil((shanghaiMonthRange(at).to.getTime() - at.getTime()) / minuteMs);
}
