import { nextApplicationStatus } from '../../domain/fulfilment-lifecycle.js';
import { assertSchoolAccess } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { applicationView } from './application-view.js';
import { enrolmentAt } from './first-card.js';
import './fulfilment.errors.js';
import type { ApplicationDto } from './fulfilment.schemas.js';
import { fulfilmentRepository as repo } from './fulfilment.repository.js';
import { recordStep } from './notifications.js';

/**
 * 作废: a first card (新生制卡) printed for a school its student no longer attends (left, graduated,
 * or moved after it went into a batch) has reached that school, where nobody may pick it up. The
 * school's card manager (their own school only) or an operator voids it with a reason: the
 * application is cancelled (its printed number stays reserved on it and is never issued), the step
 * is recorded and audited, and the family is told. A first card whose student is still enrolled
 * there is handed over instead (FULFILMENT_HOLDER_STILL_ENROLLED); only a delivered first card is
 * voided (FULFILMENT_STATUS_INVALID). The student's new school then opens its own first card: a
 * cancelled application no longer counts as one under way.
 */
export async function voidFirstCard(ctx: AppContext, caller: Caller, applicationId: string, reason: string, requestId: string): Promise<ApplicationDto> {
  const app = await repo.lockApplication(ctx.db, applicationId);
  if (!app) throw fail('FULFILMENT_APPLICATION_NOT_FOUND', { applicationId });
  assertSchoolAccess(caller, app.school_id);
  // Read under the application's lock, which a student's leaving or move takes too (giveUpFirstCard).
  const student = await repo.studentEnrolment(ctx.db, app.student_id);
  const enrolment = student ? enrolmentAt(student, app.school_id) : null;
  const status = nextApplicationStatus(app.kind, app.status, 'void', { holderEnrolledAtSchool: enrolment === 'enrolled' });
  const now = ctx.clock.now();
  await repo.updateApplication(ctx.db, app.id, { status, updated_at: now });
  await recordStep(ctx.db, ctx.clock, app, 'voided', { role: caller.role, id: caller.subjectId }, requestId, reason, {
    status, reason, studentEnrolment: enrolment, studentSchoolId: student?.school_id ?? null,
  });
  return applicationView(ctx.db, ctx.clock, { ...app, status, updated_at: now });
}
