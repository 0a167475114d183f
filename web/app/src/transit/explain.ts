import { quoteFare, railFareWithMonthlyDiscount, type Explanation } from '../../../../src/domain/fares.js';
import { formatYuan } from '../../../../src/domain/money.js';
import type { Lang } from '../../../shared/i18n.js';
import { fill } from '../ui/text.js';
import type { TransitText } from './messages.js';
import type { TapFare, Trip } from './queries.js';

/** `YYYY-MM-DD` of an instant in Beijing: the ride's date picks the fare table. */
function beijingDay(iso: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

/** The stored breakdown, if it has the shape the terminal protocol gives it (tapFareSchema). */
export function tripFare(trip: Trip): TapFare | null {
  const f = trip.fare as Partial<TapFare> | null;
  if (!f || (f.mode !== 'bus' && f.mode !== 'rail') || typeof f.fareFen !== 'number' || typeof f.fullFareFen !== 'number' || typeof f.rule !== 'string') return null;
  return f as TapFare;
}

function safely<T>(make: () => T): T | null {
  try {
    return make();
  } catch {
    return null;
  }
}

/**
 * Why a ride cost what it did, from the breakdown stored with the tap: the fare rules re-read the
 * ride (distance, rider category, line type, this month's rail spend before it) in the words the
 * fare calculator uses; when the terminal's numbers differ from that reading (or the distance was
 * not recorded), its own numbers are shown as they are, with the monthly-discount reason for rail.
 */
export function tripExplanation(trip: Trip, t: TransitText, lang: Lang): string | null {
  const fare = tripFare(trip);
  if (!fare) return null;
  const pick = (e: Explanation) => (lang === 'en' ? e.en : e.zh);
  const date = beijingDay(trip.at);
  const terminalNumbers = fill(t.fareDiffers, { full: formatYuan(fare.fullFareFen), fare: formatYuan(fare.fareFen) });

  if (typeof fare.distanceKm === 'number') {
    const quote = safely(() => quoteFare({ mode: fare.mode, distanceKm: fare.distanceKm!, category: fare.category, lineType: fare.lineType, monthSpentFen: fare.monthSpentBeforeFen, date }));
    if (quote && quote.fareFen === fare.fareFen && quote.fullFareFen === fare.fullFareFen && quote.rule === fare.rule) return pick(quote.explanation);
  }
  if (fare.rule === 'RAIL_CARD') {
    const monthly = safely(() => railFareWithMonthlyDiscount({ fullFareFen: fare.fullFareFen, monthSpentFen: fare.monthSpentBeforeFen ?? 0, date }));
    if (monthly) return pick(monthly.explanation) + terminalNumbers;
  }
  return t[`rule_${fare.rule}`] + terminalNumbers;
}

/** The line or stations of a ride: entry → exit for rail, the distance when known. */
export function tripRoute(trip: Trip, t: TransitText): string | null {
  const fare = tripFare(trip);
  const parts: string[] = [];
  if (fare?.entryStation && fare.exitStation) parts.push(fill(t.stations, { from: fare.entryStation, to: fare.exitStation }));
  else if (fare?.exitStation) parts.push(fare.exitStation);
  else if (fare?.entryStation) parts.push(fare.entryStation);
  if (typeof fare?.distanceKm === 'number') parts.push(fill(t.distance, { km: fare.distanceKm }));
  return parts.length > 0 ? parts.join(' · ') : null;
}
