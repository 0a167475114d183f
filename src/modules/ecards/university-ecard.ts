import { assertCardNo } from '../../domain/card-numbers.js';
import { shanghaiDate } from '../../domain/calendar.js';
import type { PhoneDescription } from '../../domain/phone-eligibility.js';
import { assertStudentAccess } from '../../platform/access.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { cardView } from '../cards/card-view.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { issueCard } from '../cards/issue-card.js';
import { deviceOf, universityValidUntil, type UniversityProof } from './ecard-rules.js';
import './ecards.errors.js';
import { ecardsRepository as repo } from './ecards.repository.js';
import type { EcardResult } from './open-k12-ecard.js';
import { assertPhoneEligible } from './phone-support.js';
import { matches } from './real-name.js';

export interface UniversityProblem {
  reason: 'NOT_UNIVERSITY' | 'NOT_ENROLLED' | 'SALARIED' | 'SCHOOL_NOT_PARTNERED' | 'HAS_ACTIVE_CARD';
  zh: string;
  en: string;
}

const problemText: Record<UniversityProblem['reason'], { zh: string; en: string }> = {
  NOT_UNIVERSITY: { zh: '电子学生交通卡面向高校、科研机构和中等职业学校的学生', en: 'The e-card is for students of universities, research institutes and vocational schools' },
  NOT_ENROLLED: { zh: '仅限正式学籍的在读学生', en: 'Only enrolled students can hold it' },
  SALARIED: { zh: '有工资收入的学生不能办理学生交通卡', en: 'Students with a salary cannot hold a student transit card' },
  SCHOOL_NOT_PARTNERED: { zh: '所在学校尚未与北京一卡通合作开通电子学生卡', en: 'Your school has not joined the e-card scheme yet' },
  HAS_ACTIVE_CARD: { zh: '每个学生只能有一张正常使用的学生交通卡', en: 'A student may hold only one student transit card in use' },
};

/** Seed 003 "定义": enrolled, without a salary, at a partnered school; and no other transit card in use. */
export async function universityProblems(db: DbOrTx, studentId: string): Promise<UniversityProblem[]> {
  const row = await repo.rosterRow(db, studentId);
  if (!row) throw fail('NOT_FOUND', { entity: 'student' });
  const reasons: UniversityProblem['reason'][] = [];
  if (row.stage !== 'university' && row.stage !== 'vocational') reasons.push('NOT_UNIVERSITY');
  if (row.status !== 'enrolled') reasons.push('NOT_ENROLLED');
  if (row.salaried) reasons.push('SALARIED');
  if (!(await repo.isPartnered(db, row.school_id))) reasons.push('SCHOOL_NOT_PARTNERED');
  if (await cardsRepository.activeTransitCard(db, studentId)) reasons.push('HAS_ACTIVE_CARD');
  return reasons.map((reason) => ({ reason, ...problemText[reason] }));
}

export async function universityEligibility(ctx: AppContext, caller: Caller, studentId: string) {
  await assertStudentAccess(ctx.db, caller, studentId);
  const problems = await universityProblems(ctx.db, studentId);
  return { eligible: problems.length === 0, problems, validUntilIfOpenedToday: universityValidUntil(shanghaiDate(ctx.clock.now())) };
}

export interface LinkUniversityInput extends UniversityProof {
  studentId: string;
  interopCardNo: string;
  phone: PhoneDescription;
}

/**
 * 添加电子学生卡 (seed 002): the student's interoperable (交通联合) card on the phone becomes the
 * student e-card after real-name verification (school, name, student number, ID number). One
 * per identity (the one-active-card index); one live e-card per interoperable number (the
 * cards_linked_card_live index); valid until the next 30 September.
 */
/** The checks before anything is written (and before the throttled real-name check). */
export async function assertLinkable(ctx: AppContext, caller: Caller, input: LinkUniversityInput): Promise<void> {
  if (caller.role !== 'student' && caller.role !== 'parent') throw fail('FORBIDDEN');
  await assertStudentAccess(ctx.db, caller, input.studentId);
  assertCardNo(input.interopCardNo, 'interoperable');
  await assertPhoneEligible(ctx.db, input.phone);
}

export async function linkUniversityEcard(ctx: AppContext, caller: Caller, input: LinkUniversityInput, requestId: string): Promise<EcardResult> {
  await assertLinkable(ctx, caller, input);
  const actor = { role: caller.role, id: caller.subjectId };
  const now = ctx.clock.now();
  const device = deviceOf(input.phone);

  return inTransaction(ctx.db, async (tx) => {
    await cardsRepository.lockStudent(tx, input.studentId);
    const row = await repo.rosterRow(tx, input.studentId);
    if (!row || !matches(row, { kind: 'university', ...input })) throw fail('ECARD_REAL_NAME_FAILED');
    const problems = await universityProblems(tx, input.studentId);
    if (problems.some((p) => p.reason === 'HAS_ACTIVE_CARD')) throw fail('CARD_ONE_ACTIVE', { studentId: input.studentId });
    if (problems.length > 0) throw fail('ECARD_UNIVERSITY_INELIGIBLE', { problems });
    const linked = await repo.findLiveLinkedCard(tx, input.interopCardNo);
    if (linked) throw fail('ECARD_LINKED_CARD_TAKEN');
    const card = await issueCard(tx, ctx.clock, {
      product: 'university_ecard', studentId: input.studentId, active: true, device, linkedCardNo: input.interopCardNo,
      validUntil: universityValidUntil(shanghaiDate(now)), reason: 'ecard:university_link', actor, requestId,
    });
    await repo.insertApplication(tx, {
      id: newId(), kind: 'university_link', student_id: input.studentId, card_id: card.id, previous_card_id: null, agreement_version: null, accepted_at: null,
      actor_role: caller.role, actor_id: caller.subjectId, device: JSON.stringify(device), created_at: now,
    });
    await recordAudit(tx, ctx.clock, { actor, action: 'ecards.university_linked', entityType: 'card', entityId: card.id, after: { studentId: input.studentId, validUntil: card.valid_until, model: device.model }, requestId });
    return { card: await cardView(tx, ctx.clock, card), previousCard: null, balanceMovedFen: 0 };
  });
}

/** The return in the e-card's own history (its applications), whichever way it was returned. */
export async function recordUniversityEcardReturn(db: DbOrTx, card: { id: string; student_id: string }, actor: AuditActor, at: Date): Promise<void> {
  await repo.insertApplication(db, {
    id: newId(), kind: 'university_return', student_id: card.student_id, card_id: card.id, previous_card_id: null, agreement_version: null, accepted_at: null,
    actor_role: actor.role, actor_id: actor.id, device: null, created_at: at,
  });
}
