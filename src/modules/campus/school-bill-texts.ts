import { addDays, beijingMidnight, beijingMinute, shanghaiDate } from '../../domain/calendar.js';
import { maskName } from '../../domain/masking.js';
import { billsIssuedText } from '../../domain/school-bills.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { enqueueJob } from '../../platform/jobs.js';
import { schoolBillsRepository as repo } from './school-bills.repository.js';

/**
 * 开具账单 told to the family: when the finance office issues bills (one from the form, or a file of
 * thousands), each billed student's bound parents get one text for the issue, naming the student
 * (masked), each bill's item, amount and due date. Students have no phone in Onecard: they see the
 * bills in the app. The issue's transaction only queues one job (`billTextsJob`); the job texts
 * student by student, each in its own short transaction that marks the student's bills of the issue
 * `notified_at` and sends the text with it (the outbox is a table), so a job stopped half-way goes
 * on where it stopped and nobody is texted twice. A bill cancelled or paid before its text goes is
 * left out; a student with nothing left to tell gets no text.
 */

export const billTextsJob = 'campus.bill-texts';

/** Texts go out by day, Beijing 08:00–20:00, as the other reminders do: an issue made at night is told the next morning. */
const textingHours = { from: 8, to: 20 };

/** When an issue made at `now` is texted: at once by day, else at the next 08:00 in Beijing. */
export function textingTimeFrom(now: Date): Date {
  const hour = Number(beijingMinute(now).slice(11, 13));
  if (hour >= textingHours.from && hour < textingHours.to) return now;
  const today = shanghaiDate(now);
  const day = hour < textingHours.from ? today : addDays(today, 1);
  return new Date(beijingMidnight(day).getTime() + textingHours.from * 3_600_000);
}

/**
 * The job: one text per bound parent of each student of the issue not yet told. A student whose
 * text fails does not stop the others; the job then fails, and its retry tells only those left.
 */
export async function textIssuedBills(ctx: AppContext, issueId: string): Promise<{ texted: number; students: number }> {
  // A retry (or a run held up) that falls after 20:00 waits for the morning like the first try.
  const sendAt = textingTimeFrom(ctx.clock.now());
  if (sendAt > ctx.clock.now()) {
    await enqueueJob(ctx.db, ctx.clock, billTextsJob, { issueId }, { uniqueKey: `${billTextsJob}:${issueId}:${sendAt.toISOString()}`, runAt: sendAt });
    return { texted: 0, students: 0 };
  }
  let texted = 0;
  let failed = 0;
  const students = await repo.untoldStudentsOfIssue(ctx.db, issueId);
  for (const studentId of students) {
    try {
      texted += await inTransaction(ctx.db, async (tx) => {
        const bills = await repo.markIssueTold(tx, issueId, studentId, ctx.clock.now());
        const unpaid = bills.filter((b) => b.status === 'unpaid').sort((a, b) => (a.due_date < b.due_date ? -1 : a.due_date > b.due_date ? 1 : 0));
        if (unpaid.length === 0) return 0;
        const { student_name: name, school_name: schoolName, phones } = await repo.familyOf(tx, studentId, unpaid[0]!.school_id);
        const body = billsIssuedText(schoolName, maskName(name), unpaid.map((b) => ({ kind: b.kind, academicYear: b.academic_year, course: b.course, amountFen: b.amount_fen, dueDate: b.due_date })));
        for (const phone of phones) await ctx.sms.send(tx, { phone, body });
        return phones.length;
      });
    } catch (error) {
      failed++;
      ctx.logger.error({ err: error, issueId, studentId }, 'school bill text not sent; the job tries again');
    }
  }
  if (failed > 0) throw new Error(`${failed} of ${students.length} students of bill issue ${issueId} not texted`);
  return { texted, students: students.length };
}
