import { randomInt } from 'node:crypto';
import type { DeliveryEvent } from './fulfilment.tables.js';

/** A courier company, as fulfilment sees it: take a parcel, tell where it is. */
export interface CourierAdapter {
  readonly name: string;
  /** Books a cash-on-delivery parcel; returns the courier's tracking number. Called outside any transaction. */
  createShipment(parcel: { reference: string; recipient: string; phone: string; address: string; codMaxFen: number }, now: Date): Promise<{ trackingNo: string }>;
  track(trackingNo: string, now: Date): Promise<{ status: 'in_transit' | 'delivered' | 'failed'; events: DeliveryEvent[] }>;
}

const hour = 3_600_000;

/**
 * The sandbox courier (no parcel leaves the building): a tracking number `SB<ms><4 digits>` carries
 * its booking time, and the parcel's story follows the clock — picked up at once, out for delivery
 * after 4 hours, signed for (cash on delivery ≤ ¥15) after 24 hours. Deterministic under a test
 * clock, and needing no state of its own.
 */
export const sandboxCourier: CourierAdapter = {
  name: 'sandbox',
  async createShipment(_parcel, now) {
    return { trackingNo: `SB${now.getTime()}${String(randomInt(10_000)).padStart(4, '0')}` };
  },
  async track(trackingNo, now) {
    const match = /^SB(\d{13})\d{4}$/.exec(trackingNo);
    if (!match) return { status: 'failed', events: [{ at: now.toISOString(), description: '运单号不存在 / unknown tracking number' }] };
    const booked = Number(match[1]);
    const elapsed = now.getTime() - booked;
    const events: DeliveryEvent[] = [{ at: new Date(booked).toISOString(), description: '快递员已揽收 / picked up by the courier' }];
    if (elapsed >= 4 * hour) events.push({ at: new Date(booked + 4 * hour).toISOString(), description: '派送中 / out for delivery' });
    if (elapsed >= 24 * hour) {
      events.push({ at: new Date(booked + 24 * hour).toISOString(), description: '已签收，快递费到付 / delivered, courier fee paid on delivery' });
      return { status: 'delivered', events };
    }
    return { status: 'in_transit', events };
  },
};

/** The courier in use; a real company's adapter plugs in here. */
export function courierOf(_name: string | null = null): CourierAdapter {
  return sandboxCourier;
}
