import { addDays } from './calendar.js';

/**
 * A card's validity on a Beijing day, with its grace period (domain rules, "what users ask for" 3:
 * expiry reminders, a renewal window and a grace period; docs/decisions/0008-expiry-grace.md).
 *
 * For `expiryGraceDays` after its last valid day a card is in grace: it still rides at its own
 * rate (terminals decide this offline from the date on the card), can be topped up, and a K-12
 * card can still be extended although its window has closed (the window ends on the day the
 * card does, so a family that missed it by a week is not left without the student rate for a
 * year). After that it is expired: terminals refuse it, top-ups are refused, and a K-12 card
 * waits for the next window.
 */
export const expiryGraceDays = 30;

export type ValidityState = 'valid' | 'grace' | 'expired';

/** The last day of the grace period of a card valid until `validUntil`. */
export function graceEndsOn(validUntil: string): string {
  return addDays(validUntil, expiryGraceDays);
}

/** Valid through its last valid day (and always without one), then in grace, then expired. */
export function validityOn(validUntil: string | null, today: string): ValidityState {
  if (validUntil === null || today <= validUntil) return 'valid';
  return today <= graceEndsOn(validUntil) ? 'grace' : 'expired';
}
