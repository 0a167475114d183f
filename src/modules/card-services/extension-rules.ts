import { graduationDate as stageGraduationDate, isStage } from '../../domain/graduation.js';

/**
 * The K-12 yearly extension's validity rule (pure; documented in docs/cards.md, "Card services"):
 *
 * - An extension made in year Y's window makes the card valid until the same month-day as the
 *   window's end, one year later (a window ending 2026-10-31 gives 2027-10-31), so a card stays
 *   valid until next year's window has run.
 * - Never beyond graduation: 31 August of the year the student finishes the current stage
 *   (src/domain/graduation.ts, the card face's rule too: grades counted from primary 1 or within
 *   the stage). The card face's validity is the graduation date (seed 001).
 * - Unknown class: no graduation bound is applied.
 */
export interface ExtensionWindow {
  year: number;
  startsOn: string;
  endsOn: string;
}

/** Only K-12 cards have the yearly extension and its graduation bound. */
const k12Stages = new Set(['primary', 'middle', 'high']);

/** `date` + `years`, 29 February becoming 28 February in a common year. */
export function addYears(date: string, years: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const year = y + years;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = m === 2 && d === 29 && !leap ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export function isInWindow(window: ExtensionWindow, today: string): boolean {
  return window.startsOn <= today && today <= window.endsOn;
}

/** The first year of the school year `today` falls in (a school year starts on 1 September). */
export function schoolYearOf(today: string): number {
  const [y, m] = today.split('-').map(Number) as [number, number];
  return m >= 9 ? y : y - 1;
}

/** 31 August of the year the student leaves the stage, or null when the grade or stage gives no bound. */
export function graduationDate(stage: string, grade: number | null, today: string): string | null {
  if (!k12Stages.has(stage) || !isStage(stage) || grade === null) return null;
  return stageGraduationDate(stage, grade, today);
}

/** The new valid-until date of an extension made in `window`, within the graduation bound. */
export function extendedValidUntil(window: ExtensionWindow, graduation: string | null): string {
  const target = addYears(window.endsOn, 1);
  return graduation !== null && graduation < target ? graduation : target;
}

/**
 * The window a year has when the card centre has not set it (yet): October (seed 001: 每年 10 月份
 * 可能会需要进行学生卡延期操作). Used only to date a card issued before that year's window is set.
 */
export function usualWindow(year: number): ExtensionWindow {
  return { year, startsOn: `${year}-10-01`, endsOn: `${year}-10-31` };
}

/**
 * The transit validity of a K-12 card (or e-card) issued on `issuedOn`: what an extension made
 * that day would give, so every card runs on the yearly cycle (the card FACE still shows the
 * graduation date, card-face.ts). Issued inside a window: that window's end one year later, as
 * an extension there. Outside one: the end of the next window, in which it is then extended.
 * Never past graduation. `windows` are the ones the operators set; a year without one has its
 * usual October window.
 */
export function validUntilOnIssue(issuedOn: string, windows: readonly ExtensionWindow[], graduation: string | null): string {
  const year = Number(issuedOn.slice(0, 4));
  // A window starts in its own year, so the window of year+1 always starts after `issuedOn`.
  const nearby = [year - 1, year, year + 1].map((y) => windows.find((w) => w.year === y) ?? usualWindow(y));
  const open = nearby.find((w) => isInWindow(w, issuedOn));
  if (open) return extendedValidUntil(open, graduation);
  const next = nearby.find((w) => w.startsOn > issuedOn)!;
  return graduation !== null && graduation < next.endsOn ? graduation : next.endsOn;
}

/** The products renewed by the yearly extension, and so dated by validUntilOnIssue when issued. */
export function isYearlyExtended(product: string): boolean {
  return extendableProducts.includes(product);
}

/** Why the yearly extension does not apply to a card as it stands (product, status), or null: a K-12 transit card in normal status. */
export type ExtensionCardBlock = 'CARD_EXTENSION_PRODUCT' | 'CARD_EXTENSION_LOST' | 'CARD_EXTENSION_SUPERSEDED' | 'CARD_EXTENSION_STATUS';

/** The K-12 cards renewed by the yearly extension (a university e-card has its own, in ecards). */
const extendableProducts: readonly string[] = ['k12_card', 'k12_ecard'];

export function extensionCardBlock(card: { product: string; status: string }): ExtensionCardBlock | null {
  if (!extendableProducts.includes(card.product)) return 'CARD_EXTENSION_PRODUCT';
  if (card.status === 'lost') return 'CARD_EXTENSION_LOST';
  if (card.status === 'superseded') return 'CARD_EXTENSION_SUPERSEDED';
  if (card.status !== 'active') return 'CARD_EXTENSION_STATUS';
  return null;
}
