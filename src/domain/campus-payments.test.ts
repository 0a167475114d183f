import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookingRefusal, electricityKwhCenti, hotWaterAllowed, nextRepairStatus, slotStart, needsConsumptionPin, networkDeviceAllowed, networkMonthCharge, networkMonthlyCapFen, networkAdvance, networkHourPriceFen, minutesByMonth, minutesToMonthEnd, type DeviceMonth } from './campus-payments.js';

describe('canteen purchase limit', () => {
  it('asks for the consumption password only above the limit', () => {
    expect(needsConsumptionPin(5_000, 5_000)).toBe(false);
    expect(needsConsumptionPin(5_001, 5_000)).toBe(true);
    expect(needsConsumptionPin(1, 0)).toBe(true);
  });
});

describe('hot water', () => {
  it('runs from ¥0.10 of balance, not below', () => {
    expect(hotWaterAllowed(10)).toBe(true);
    expect(hotWaterAllowed(9)).toBe(false);
    expect(hotWaterAllowed(0)).toBe(false);
  });
});

describe('campus network billing', () => {
  it('bills ¥0.30 per begun hour per device', () => {
    expect(networkMonthCharge([0]).chargeFen).toBe(0);
    expect(networkMonthCharge([1]).chargeFen).toBe(30);
    expect(networkMonthCharge([60]).chargeFen).toBe(30);
    expect(networkMonthCharge([61, 120])).toEqual({ billedHours: [2, 2], uncappedFen: 120, chargeFen: 120, capped: false });
  });

  it('stops at ¥40.00 a month: 133 hours is ¥39.90, the 134th hour is not charged in full', () => {
    expect(networkMonthCharge([133 * 60]).chargeFen).toBe(3_990);
    expect(networkMonthCharge([134 * 60])).toMatchObject({ uncappedFen: 4_020, chargeFen: 4_000, capped: true });
    expect(networkMonthCharge([100 * 60, 100 * 60]).chargeFen).toBe(4_000);
  });

  it('allows two devices on at once, not three; a month may see more devices, each billed', () => {
    expect(networkDeviceAllowed(0)).toBe(true);
    expect(networkDeviceAllowed(1)).toBe(true);
    expect(networkDeviceAllowed(2)).toBe(false);
    expect(networkMonthCharge([1, 2, 3]).chargeFen).toBe(90);
    expect(() => networkMonthCharge([-1])).toThrow(expect.objectContaining({ code: 'CAMPUS_NETWORK_MINUTES' }));
  });

  it('never exceeds the cap, and never falls when a device stays on longer (property)', () => {
    const minutes = fc.array(fc.integer({ min: 0, max: 44_640 }), { minLength: 0, maxLength: 2 });
    fc.assert(
      fc.property(minutes, fc.integer({ min: 0, max: 1_000 }), (devices, more) => {
        const charge = networkMonthCharge(devices);
        expect(charge.chargeFen).toBeLessThanOrEqual(networkMonthlyCapFen);
        expect(charge.chargeFen).toBe(Math.min(charge.uncappedFen, networkMonthlyCapFen));
        if (devices.length > 0) {
          const longer = networkMonthCharge([devices[0]! + more, ...devices.slice(1)]);
          expect(longer.chargeFen).toBeGreaterThanOrEqual(charge.chargeFen);
        }
      }),
    );
  });
});

describe('campus network prepaid hours (the gateway\'s Session-Timeout)', () => {
  const fresh: DeviceMonth = { minutes: 0, paidHours: 0 };

  it('buys the first hour at sign-on, and the next as the last runs out, if the balance pays it', () => {
    expect(networkAdvance({ device: fresh, addMinutes: 0, stayOn: true, monthChargedFen: 0, balanceFen: 100 })).toEqual({ device: { minutes: 0, paidHours: 1 }, chargeFen: 30, overrunMinutes: 0, minutesLeft: 60 });
    expect(networkAdvance({ device: { minutes: 0, paidHours: 1 }, addMinutes: 45, stayOn: true, monthChargedFen: 30, balanceFen: 70 })).toEqual({ device: { minutes: 45, paidHours: 1 }, chargeFen: 0, overrunMinutes: 0, minutesLeft: 15 });
    expect(networkAdvance({ device: { minutes: 45, paidHours: 1 }, addMinutes: 15, stayOn: true, monthChargedFen: 30, balanceFen: 70 })).toEqual({ device: { minutes: 60, paidHours: 2 }, chargeFen: 30, overrunMinutes: 0, minutesLeft: 60 });
  });

  it('sends the device off when the balance lacks the next hour; minutes past the paid hours are never billed', () => {
    expect(networkAdvance({ device: fresh, addMinutes: 0, stayOn: true, monthChargedFen: 0, balanceFen: 29 })).toEqual({ device: fresh, chargeFen: 0, overrunMinutes: 0, minutesLeft: 0 });
    expect(networkAdvance({ device: { minutes: 50, paidHours: 1 }, addMinutes: 30, stayOn: true, monthChargedFen: 30, balanceFen: 0 })).toEqual({ device: { minutes: 60, paidHours: 1 }, chargeFen: 0, overrunMinutes: 20, minutesLeft: 0 });
  });

  it('charges what is left under the cap, then nothing: hours go on free once ¥40.00 is reached', () => {
    expect(networkHourPriceFen(0)).toBe(30);
    expect(networkHourPriceFen(3_990)).toBe(10);
    expect(networkHourPriceFen(4_000)).toBe(0);
    expect(networkAdvance({ device: { minutes: 60, paidHours: 1 }, addMinutes: 0, stayOn: true, monthChargedFen: 4_000, balanceFen: 0 })).toMatchObject({ chargeFen: 0, minutesLeft: 60, device: { paidHours: 2 } });
  });

  it('splits a session at the Beijing month\'s end: the new month buys its own hours', () => {
    const lateNovember = new Date('2026-11-30T23:30:00+08:00');
    expect(minutesByMonth(lateNovember, 0, 90)).toEqual([{ month: '2026-11', minutes: 30 }, { month: '2026-12', minutes: 60 }]);
    expect(minutesByMonth(lateNovember, 0, 30)).toEqual([{ month: '2026-11', minutes: 30 }, { month: '2026-12', minutes: 0 }]);
    expect(minutesByMonth(lateNovember, 0, 0)).toEqual([{ month: '2026-11', minutes: 0 }]);
    expect(minutesByMonth(lateNovember, 40, 50)).toEqual([{ month: '2026-12', minutes: 10 }]);
    expect(minutesToMonthEnd(lateNovember, 0)).toBe(30);
    expect(minutesToMonthEnd(lateNovember, 30)).toBe(31 * 24 * 60);
  });

  it('charges a month what its minutes cost, plus at most the hour a device began as it went off; never more than the balance or the cap (property)', () => {
    // A month of one student: sessions of up to three devices (two on at once is the gateway's
    // business), each a sign-on, reports of some minutes (sometimes past the timeout) and an end.
    const session = fc.record({ device: fc.integer({ min: 0, max: 2 }), reports: fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 8 }), topUpFen: fc.integer({ min: 0, max: 600 }) });
    fc.assert(
      fc.property(fc.array(session, { maxLength: 40 }), fc.integer({ min: 0, max: 5_000 }), (sessions, startFen) => {
        const devices: DeviceMonth[] = [fresh, fresh, fresh];
        let balanceFen = startFen;
        let chargedFen = 0;
        let toppedUpFen = 0;
        const advance = (d: number, addMinutes: number, stayOn: boolean) => {
          const step = networkAdvance({ device: devices[d]!, addMinutes, stayOn, monthChargedFen: chargedFen, balanceFen });
          expect(step.chargeFen).toBeLessThanOrEqual(balanceFen);
          devices[d] = step.device;
          balanceFen -= step.chargeFen;
          chargedFen += step.chargeFen;
          return step;
        };
        for (const s of sessions) {
          balanceFen += s.topUpFen;
          toppedUpFen += s.topUpFen;
          let on = advance(s.device, 0, true).minutesLeft > 0;
          for (const minutes of s.reports) {
            if (!on) break;
            on = advance(s.device, minutes, true).minutesLeft > 0;
          }
          if (on) advance(s.device, 0, false);
        }
        expect(balanceFen).toBe(startFen + toppedUpFen - chargedFen);
        expect(chargedFen).toBeLessThanOrEqual(networkMonthlyCapFen);
        const paidFen = devices.reduce((sum, d) => sum + d.paidHours * 30, 0);
        expect(chargedFen).toBe(Math.min(paidFen, networkMonthlyCapFen));
        expect(chargedFen).toBeGreaterThanOrEqual(networkMonthCharge(devices.map((d) => d.minutes)).chargeFen);
        for (const d of devices) {
          const billed = Math.ceil(d.minutes / 60);
          expect(d.paidHours === billed || (d.paidHours === billed + 1 && d.minutes % 60 === 0)).toBe(true);
        }
      }),
    );
  });
});

describe('dorm electricity', () => {
  it('buys hundredths of a kWh at the price, rounded down, ¥1 to ¥500 at a time', () => {
    expect(electricityKwhCenti(5_000, 50)).toBe(10_000); // ¥50 at ¥0.50 = 100.00 kWh
    expect(electricityKwhCenti(101, 49)).toBe(206); // 2.0612… → 2.06 kWh
    expect(() => electricityKwhCenti(99, 50)).toThrow(expect.objectContaining({ code: 'CAMPUS_ELECTRICITY_AMOUNT' }));
    expect(() => electricityKwhCenti(50_001, 50)).toThrow(expect.objectContaining({ code: 'CAMPUS_ELECTRICITY_AMOUNT' }));
    fc.assert(fc.property(fc.integer({ min: 100, max: 50_000 }), fc.integer({ min: 1, max: 500 }), (fen, price) => {
      const centi = electricityKwhCenti(fen, price);
      // Never more energy than paid for, and less than one hundredth short.
      expect(centi * price).toBeLessThanOrEqual(fen * 100);
      expect((centi + 1) * price).toBeGreaterThan(fen * 100);
    }));
  });
});

describe('repair reports (网上报修)', () => {
  it('go submitted → accepted → done; the student withdraws only before staff take it on', () => {
    expect(nextRepairStatus('submitted', 'accept')).toBe('accepted');
    expect(nextRepairStatus('accepted', 'finish')).toBe('done');
    expect(nextRepairStatus('submitted', 'finish')).toBe('done');
    expect(nextRepairStatus('submitted', 'cancel')).toBe('cancelled');
    for (const [status, event] of [['accepted', 'cancel'], ['done', 'accept'], ['done', 'cancel'], ['cancelled', 'finish'], ['accepted', 'accept']] as const) {
      expect(() => nextRepairStatus(status, event)).toThrow(expect.objectContaining({ code: 'REPAIR_TRANSITION_INVALID' }));
    }
  });
});

describe('practice-room bookings (琴房预订)', () => {
  // Monday 23 November 2026, 10:30 in Beijing.
  const now = new Date('2026-11-23T02:30:00Z');
  it('take whole hours from 08:00 to the 21:00 slot, not begun, up to 7 days ahead', () => {
    expect(bookingRefusal('2026-11-23', 11, now)).toBeNull();
    expect(bookingRefusal('2026-11-23', 10, now)).toBe('BOOKING_TOO_LATE'); // begun at 10:00
    expect(bookingRefusal('2026-11-23', 7, now)).toBe('BOOKING_HOUR');
    expect(bookingRefusal('2026-11-23', 22, now)).toBe('BOOKING_HOUR');
    expect(bookingRefusal('2026-11-23', 21, now)).toBeNull();
    expect(bookingRefusal('2026-11-30', 8, now)).toBeNull(); // 7 days ahead
    expect(bookingRefusal('2026-12-01', 8, now)).toBe('BOOKING_TOO_EARLY');
    expect(bookingRefusal('2026-11-22', 20, now)).toBe('BOOKING_TOO_LATE');
    expect(slotStart('2026-11-23', 8).toISOString()).toBe('2026-11-23T00:00:00.000Z');
  });

  it('count days in Beijing: at 00:30 on the 24th (16:30 UTC on the 23rd) the 1st of December is 7 days ahead', () => {
    const justAfterMidnight = new Date('2026-11-23T16:30:00Z');
    expect(bookingRefusal('2026-12-01', 8, justAfterMidnight)).toBeNull();
    expect(bookingRefusal('2026-12-02', 8, justAfterMidnight)).toBe('BOOKING_TOO_EARLY');
    expect(bookingRefusal('2026-11-24', 8, justAfterMidnight)).toBeNull();
    expect(bookingRefusal('2026-11-23', 21, justAfterMidnight)).toBe('BOOKING_TOO_LATE');
  });
});
