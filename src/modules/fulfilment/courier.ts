import { randomInt } from 'node:crypto';
import type { TrackedStatus } from '../../domain/fulfilment-lifecycle.js';
import type { DeliveryEvent } from './fulfilment.tables.js';

/** A courier company, as fulfilment sees it: take a parcel, tell where it is. */
export interface CourierAdapter {
  /** The code stored with each parcel (deliveries.courier). */
  readonly name: string;
  /** What families and staff read: the company's name. */
  readonly displayName: { zh: string; en: string };
  /** Books a cash-on-delivery parcel; returns the courier's tracking number. Called outside any transaction. */
  createShipment(parcel: { reference: string; recipient: string; phone: string; address: string; codMaxFen: number }, now: Date): Promise<{ trackingNo: string }>;
  /** failed: the courier gave up (refused, recipient unreachable) and sends it back; returned: the card centre signed for it again. */
  track(trackingNo: string, now: Date): Promise<{ status: TrackedStatus; events: DeliveryEvent[] }>;
}

const hour = 3_600_000;

/** Sandbox only: a recipient phone ending in 0000 never answers, so the parcel fails and comes back. */
const sandboxUnreachablePhone = /0000$/;

/**
 * The sandbox courier (no parcel leaves the building): a tracking number `SB<ms><4 digits>` carries
 * its booking time, and the parcel's story follows the clock — picked up at once, out for delivery
 * after 4 hours, signed for (cash on delivery ≤ ¥15) after 24 hours. A parcel to a phone ending in
 * 0000 is booked as `SBX…`: nobody answers, so after 24 hours the courier gives up (no fee
 * collected) and after 48 hours the card centre signs for it back. Deterministic under a test
 * clock, and needing no state of its own.
 */
export const sandboxCourier: CourierAdapter = {
  name: 'sandbox',
  displayName: { zh: '模拟快递', en: 'Sandbox courier' },
  async createShipment(parcel, now) {
    const unreachable = sandboxUnreachablePhone.test(parcel.phone) ? 'X' : '';
    return { trackingNo: `SB${unreachable}${now.getTime()}${String(randomInt(10_000)).padStart(4, '0')}` };
  },
  async track(trackingNo, now) {
    const match = /^SB(X?)(\d{13})\d{4}$/.exec(trackingNo);
    if (!match) return { status: 'failed', events: [{ at: now.toISOString(), description: { zh: '运单号不存在', en: 'Unknown tracking number' } }] };
    const unreachable = match[1] === 'X';
    const booked = Number(match[2]);
    const elapsed = now.getTime() - booked;
    const at = (hours: number) => new Date(booked + hours * hour).toISOString();
    const events: DeliveryEvent[] = [{ at: at(0), description: { zh: '快递员已揽收', en: 'Picked up by the courier' } }];
    if (elapsed >= 4 * hour) events.push({ at: at(4), description: { zh: '派送中', en: 'Out for delivery' } });
    if (elapsed < 24 * hour) return { status: 'in_transit', events };
    if (!unreachable) {
      events.push({ at: at(24), description: { zh: '已签收，快递费到付', en: 'Delivered; courier fee paid on delivery' } });
      return { status: 'delivered', events };
    }
    events.push({ at: at(24), description: { zh: '派送失败：联系不上收件人，未收取快递费，退回寄件人', en: 'Not delivered: the recipient could not be reached; no fee collected; returning to the sender' } });
    if (elapsed < 48 * hour) return { status: 'failed', events };
    events.push({ at: at(48), description: { zh: '退件已由制卡中心签收', en: 'Returned: signed for by the card centre' } });
    return { status: 'returned', events };
  },
};

/** The courier in use; a real company's adapter plugs in here. */
export function courierOf(_name: string | null = null): CourierAdapter {
  return sandboxCourier;
}

/** The name to show for a parcel's stored courier code; a code no adapter knows is shown as it is. */
export function courierDisplayName(code: string | null): { zh: string; en: string } | null {
  if (!code) return null;
  const courier = courierOf(code);
  return courier.name === code ? courier.displayName : { zh: code, en: code };
}
