import { addDays, beijingMidnight } from './calendar.js';

/**
 * 借阅图书 through the campus card app (seed 004: "使用校园卡 APP 借阅图书"). The seed names the
 * service, not its rules; these are the common rules of Chinese university libraries, ours until
 * a library gives its own. Pure: no I/O.
 *
 * - A loan runs 30 days from the Beijing date it was borrowed; it is due at the end of that date.
 * - At most 10 books on loan at once.
 * - One renewal per loan, made before it is overdue: due 30 days after the renewal's date (never
 *   earlier than it was).
 * - A book returned late owes ¥0.10 for each day past its due date, at most ¥20.00 a book.
 * - Nothing more is lent to a student with an overdue book or an unpaid fine.
 */

export const loanDays = 30;
export const loansPerStudent = 10;
export const renewalsPerLoan = 1;
export const fineFenPerDay = 10;
export const fineCapFen = 2_000;

/** The due date of a loan made (or renewed) on `date`. */
export function dueDateFrom(date: string): string {
  return addDays(date, loanDays);
}

/** Whole days from `from` to `to` (both 'YYYY-MM-DD'; negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((beijingMidnight(to).getTime() - beijingMidnight(from).getTime()) / 86_400_000);
}

/** Overdue on `today`: the due date has passed (the due date itself is not late). */
export function isOverdue(dueOn: string, today: string): boolean {
  return today > dueOn;
}

/** The fine of a book returned on `returnedOn`: ¥0.10 a day past due, capped at ¥20.00. */
export function lateFineFen(dueOn: string, returnedOn: string): number {
  return Math.min(fineCapFen, Math.max(0, daysBetween(dueOn, returnedOn)) * fineFenPerDay);
}

/** Why a renewal on `today` is refused, or null: renewed already, or overdue. */
export function renewalRefusal(loan: { dueOn: string; renewals: number }, today: string): 'LIBRARY_RENEWED_ALREADY' | 'LIBRARY_OVERDUE' | null {
  if (loan.renewals >= renewalsPerLoan) return 'LIBRARY_RENEWED_ALREADY';
  if (isOverdue(loan.dueOn, today)) return 'LIBRARY_OVERDUE';
  return null;
}

/** The due date after a renewal on `today`: 30 days on, never earlier than before. */
export function renewedDueDate(dueOn: string, today: string): string {
  const renewed = dueDateFrom(today);
  return renewed > dueOn ? renewed : dueOn;
}
