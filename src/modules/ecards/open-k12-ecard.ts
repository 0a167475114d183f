import { shanghaiDate } from '../../domain/calendar.js';
import type { PhoneDescription } from '../../domain/phone-eligibility.js';
import { assertStudentAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { k12ValidUntilOnIssue } from '../card-services/issue-validity.js';
import { changeCardStatus } from '../cards/card-status.js';
import { cardView, type CardView } from '../cards/card-view.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { issueCard } from '../cards/issue-card.js';
import { hasRequiredConsent } from '../identity/consent.js';
import { deviceOf, ecardAgreement, type K12Proof } from './ecard-rules.js';
import './ecards.errors.js';
import { ecardsRepository as repo } from './ecards.repository.js';
import { assertPhoneEligible } from './phone-support.js';
import { matches } from './real-name.js';

export interface OpenK12Input extends K12Proof {
  studentId: string;
  phone: PhoneDescription;
  agreementVersion: string;
  agreementAccepted: boolean;
}

export interface EcardResult {
  card: CardView;
  previousCard: CardView | null;
  balanceMovedFen: number;
}

const k12Stages = ['primary', 'middle', 'high'] as const;

/**
 * Opens a K-12 NFC e-card: an eligible phone, the student's school, real-name details that match
 * the roster, a guardian's consent under 14, the accepted agreement. In one transaction the
 * e-card is issued active and the physical K-12 card is superseded (no more top-up or extension;
 * what is on it can still be spent). Two openings at once: the student row lock serialises them
 * and the one-active-card index refuses whatever slips past, so exactly one succeeds.
 */
/** The checks before anything is written (and before the throttled real-name check): who, agreement, school, phone. */
export async function assertOpenable(ctx: AppContext, caller: Caller, input: OpenK12Input) {
  if (caller.role !== 'student' && caller.role !== 'parent') throw fail('FORBIDDEN');
  await assertStudentAccess(ctx.db, caller, input.studentId);
  if (!input.agreementAccepted || input.agreementVersion !== ecardAgreement.version) throw fail('ECARD_AGREEMENT_REQUIRED', { version: ecardAgreement.version });
  const school = await repo.findSchool(ctx.db, input.schoolId);
  if (!school) throw fail('NOT_FOUND', { entity: 'school', schoolId: input.schoolId });
  if (!(k12Stages as readonly string[]).includes(school.stage)) throw fail('ECARD_SCHOOL_NOT_K12', { stage: school.stage });
  await assertPhoneEligible(ctx.db, input.phone);
  return school;
}

export async function openK12Ecard(ctx: AppContext, caller: Caller, input: OpenK12Input, requestId: string): Promise<EcardResult> {
  const school = await assertOpenable(ctx, caller, input);
  const actor = { role: caller.role, id: caller.subjectId };
  const now = ctx.clock.now();

  return inTransaction(ctx.db, async (tx) => {
    await cardsRepository.lockStudent(tx, input.studentId);
    const row = await repo.rosterRow(tx, input.studentId);
    if (!row || !matches(row, { kind: 'k12', ...input })) throw fail('ECARD_REAL_NAME_FAILED');
    if (row.status !== 'enrolled') throw fail('ECARD_NOT_ENROLLED', { status: row.status });
    if (!(await hasRequiredConsent(tx, input.studentId, 'nfc_ecard', shanghaiDate(now)))) throw fail('ECARD_CONSENT_REQUIRED');
    const existing = await repo.cardOf(tx, input.studentId, ['k12_ecard'], ['active', 'suspended']);
    if (existing) throw fail('ECARD_ALREADY_OPEN', { cardId: existing.id, status: existing.status });

    // The physical card gives transit up first (the one-active-card index), then the e-card takes it.
    let previous = null;
    for (const physical of await repo.cardsOf(tx, input.studentId, ['k12_card'], ['active', 'inactive'])) {
      previous = await changeCardStatus(tx, ctx.clock, { cardId: physical.id, event: 'supersede', reason: 'ecard:k12_open', actor, requestId });
    }
    const card = await issueCard(tx, ctx.clock, {
      product: 'k12_ecard', studentId: input.studentId, active: true, device: deviceOf(input.phone), stage: school.stage, reason: 'ecard:k12_open', actor, requestId,
      validUntil: await k12ValidUntilOnIssue(tx, input.studentId, shanghaiDate(now)),
    });
    await repo.insertApplication(tx, {
      id: newId(), kind: 'k12_open', student_id: input.studentId, card_id: card.id, previous_card_id: previous?.id ?? null, agreement_version: ecardAgreement.version,
      accepted_at: now, actor_role: caller.role, actor_id: caller.subjectId, device: JSON.stringify(deviceOf(input.phone)), created_at: now,
    });
    await recordAudit(tx, ctx.clock, {
      actor, action: 'ecards.k12_opened', entityType: 'card', entityId: card.id,
      after: { studentId: input.studentId, schoolId: school.id, stage: school.stage, supersededCardId: previous?.id ?? null, agreementVersion: ecardAgreement.version, model: deviceOf(input.phone).model }, requestId,
    });
    return { card: await cardView(tx, ctx.clock, card), previousCard: previous ? await cardView(tx, ctx.clock, previous) : null, balanceMovedFen: 0 };
  });
}

