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
 * left out; a student with nothing left to tell gets no text. A job that gave up (the SMS service
 * down longer than its five quick tries) is taken up again after a wait (resumeStalledBillTexts).
 */

export const billTextsJob = 'campus.bill-texts';

/** The recurring job that takes up a text job that gave up (resumeStalledBillTexts). */
export const resumeBillTextsJob = 'campus.bill-texts-resume';

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

/** The first wait after a text job gave up; it doubles with each job of the issue that gave up, to at most six hours. */
export const billTextsResumeAfterMs = 30 * 60_000;
const billTextsResumeMaxWaitMs = 6 * 3_600_000;
/** How many issues one run takes up. */
const billTextsResumesPerRun = 20;

/**
 * The recurring job: an issue whose text job gave up, with families still to tell about bills
 * that can still be paid (unpaid, not past due) and no text job waiting, is given a new text job
 * once the wait since the last failure is over (30 minutes, doubling with each failed job, at
 * most 6 hours). The new job, as any, texts only the students not yet told, and only between
 * 08:00 and 20:00 in Beijing (it is queued for then). How many issues it took up.
 */
export async function resumeStalledBillTexts(ctx: AppContext): Promise<number> {
  const now = ctx.clock.now();
  let resumed = 0;
  for (const stalled of await repo.stalledTextIssues(ctx.db, billTextsJob, shanghaiDate(now), billTextsResumesPerRun)) {
    const waitMs = Math.min(billTextsResumeAfterMs * 2 ** (stalled.failures - 1), billTextsResumeMaxWaitMs);
    if (now.getTime() - stalled.lastFailedAt.getTime() < waitMs) continue;
    // One new job per failure count: two runs racing queue it once.
    await enqueueJob(ctx.db, ctx.clock, billTextsJob, { issueId: stalled.issueId }, { uniqueKey: `${billTextsJob}:${stalled.issueId}:resume:${stalled.failures}`, runAt: textingTimeFrom(now) });
    ctx.logger.info({ issueId: stalled.issueId, failures: stalled.failures }, 'school bill texts taken up again');
    resumed++;
  }
  return resumed;
}
