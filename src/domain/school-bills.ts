import { controlCharacter } from '../platform/text.js';
import { isIsoDate } from './calendar.js';
import { DomainError } from './errors.js';
import { formatYuan } from './money.js';

/**
 * 学费及重修费缴费 (seed 004): what a university bills its students for in the campus card app.
 * Pure rules; the module (src/modules/campus/school-bills.ts) keeps the bills and the money.
 */

export const schoolBillKinds = ['tuition', 'retake'] as const;
export type SchoolBillKind = (typeof schoolBillKinds)[number];
export type SchoolBillStatus = 'unpaid' | 'paid' | 'cancelled';
export type SchoolBillEvent = 'pay' | 'cancel';

/** ¥1 to ¥100,000 per bill: a year's tuition at the dearest programmes stays well inside. */
export const billAmountMinFen = 100;
export const billAmountMaxFen = 10_000_000;
export const billCourseMaxLength = 40;

/** 学年 as universities write it, "2026-2027": two consecutive years of this century. */
export function isAcademicYear(value: string): boolean {
  const match = /^(20\d{2})-(\d{4})$/.exec(value);
  return match !== null && Number(match[2]) === Number(match[1]) + 1;
}


/** What the bill says it is for, as the order page and the e-receipt name it. */
export function billTitle(bill: { kind: SchoolBillKind; academicYear: string; course: string | null }): string {
  return bill.kind === 'tuition' ? `${bill.academicYear}学年学费` : `重修费：${bill.course ?? ''}`;
}

/**
 * The field a new bill is refused for, or null. A retake names its course, tuition none; a control
 * character (a tab, a line break from a spreadsheet cell) would end up in the title and the order.
 */
export function billFieldsProblem(bill: { kind: SchoolBillKind; academicYear: string; course: string | null; amountFen: number; dueDate: string }): 'academicYear' | 'course' | 'amount' | 'dueDate' | null {
  if (!isAcademicYear(bill.academicYear)) return 'academicYear';
  const course = bill.course?.trim() ?? '';
  if ((bill.kind === 'retake') !== (course !== '') || course.length > billCourseMaxLength || controlCharacter.test(course)) return 'course';
  if (!Number.isSafeInteger(bill.amountFen) || bill.amountFen < billAmountMinFen || bill.amountFen > billAmountMaxFen) return 'amount';
  if (!isIsoDate(bill.dueDate)) return 'dueDate';
  return null;
}

/** How many bills one text names; more are counted (a student rarely gets more than a year's tuition and a retake or two at once). */
export const billsNamedPerText = 3;

/**
 * The text a bound parent gets when the university bills their child (one per student and issue):
 * the child's masked name, each bill's item, amount and due date, and where to pay it.
 */
export function billsIssuedText(schoolName: string, studentNameMasked: string, bills: readonly { kind: SchoolBillKind; academicYear: string; course: string | null; amountFen: number; dueDate: string }[]): string {
  const named = bills.slice(0, billsNamedPerText).map((b) => `${billTitle(b)} ${formatYuan(b.amountFen)}（${b.dueDate} 前缴纳）`).join('；');
  const more = bills.length > billsNamedPerText ? `等 ${bills.length} 张账单，共 ${formatYuan(bills.reduce((sum, b) => sum + b.amountFen, 0))}` : '';
  return `【北京学生卡】${schoolName}为您孩子${studentNameMasked}开具了账单：${named}${more}。请在北京学生卡 App“学费及重修费”中缴纳。`;
}

/**
 * A bill due before today (a Beijing date) is not issued: it would be overdue the moment the
 * student saw it, a typo of the year more often than not. Due today is fine.
 */
export function isDueDatePast(dueDate: string, today: string): boolean {
  return dueDate < today;
}

/** Past its due date (a Beijing date) and still unpaid: the app and the console mark it 已逾期. */
export function isBillOverdue(bill: { status: SchoolBillStatus; dueDate: string }, today: string): boolean {
  return bill.status === 'unpaid' && bill.dueDate < today;
}

/**
 * A bill is paid once, or cancelled by the school while still unpaid (a wrong amount, a student
 * who left); a paid or cancelled bill does not move again. Overdue bills can still be paid: the
 * due date is the school's reminder, not a lock.
 */
export function nextBillStatus(status: SchoolBillStatus, event: SchoolBillEvent): SchoolBillStatus {
  if (status !== 'unpaid') {
    throw new DomainError('SCHOOL_BILL_NOT_UNPAID', status === 'paid' ? '该账单已缴清' : '该账单已被学校撤销', status === 'paid' ? 'The bill is paid already' : 'The school has cancelled the bill', { status, event });
  }
  return event === 'pay' ? 'paid' : 'cancelled';
}
