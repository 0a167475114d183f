import { shanghaiDate } from '../../domain/calendar.js';
import { validateIdNumber } from '../../domain/id-number.js';
import { maskCardNo, maskIdNumber, maskName } from '../../domain/masking.js';
import { statusLabels } from '../../domain/card-lifecycle.js';
import { mayReplace, reasonsOf, replacementReasons, type ReplacementReason } from '../../domain/fulfilment-lifecycle.js';
import { mayAccessStudent } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { cardsRepository, type CardRow } from '../cards/cards.repository.js';
import { transitValidByDate } from '../cards/card-view.js';
import '../identity/identity.errors.js';
import { assertK12Stage, categoryOf, productLabels, productOfKind, stageLabels } from './card-face.js';
import './fulfilment.errors.js';
import type { ApplicationKind, IdentityCheck, MaskedCardInfo, VerifyResult } from './fulfilment.schemas.js';
import { fulfilmentRepository as repo, type FaceSource } from './fulfilment.repository.js';

const normaliseIdNumber = (value: string) => value.trim().toUpperCase();
const normaliseName = (value: string) => value.replace(/\s+/g, '');

/**
 * A resident ID number that is no ID number at all (wrong length, impossible birth date, wrong GB
 * 11643 check digit) is refused as such (ID_NUMBER_FORMAT / _BIRTH_DATE / _CHECKSUM) before any
 * comparison, so the family looks for a typo in the number rather than at the student record.
 * Other documents are compared as typed.
 */
function assertWellFormedIdNumber(check: IdentityCheck, clock: Clock): void {
  if (check.idType !== 'resident_id') return;
  const id = validateIdNumber(check.idNumber, shanghaiDate(clock.now()));
  if (!id.ok) throw fail(id.code, { field: 'idNumber' });
}

/**
 * 教育ID信息确认 (seed 000 填写信息): name, ID type, ID number and education ID must all match a
 * student the caller may act for. The refusal never echoes the record: it names the fields that
 * differ and shows the record's name and ID number masked (typos in names are the usual cause).
 */
export async function verifyIdentity(db: DbOrTx, clock: Clock, caller: Caller, check: IdentityCheck): Promise<FaceSource> {
  assertWellFormedIdNumber(check, clock);
  const student = await repo.studentByEducationId(db, check.educationId.trim());
  if (!student || !(await mayAccessStudent(db, caller, student.id))) {
    throw fail('FULFILMENT_IDENTITY_MISMATCH', { fields: ['educationId'] });
  }
  const fields: string[] = [];
  if (normaliseName(student.name) !== normaliseName(check.name)) fields.push('name');
  if (normaliseIdNumber(student.id_number) !== normaliseIdNumber(check.idNumber)) fields.push('idNumber');
  if (fields.length > 0) {
    throw fail('FULFILMENT_IDENTITY_MISMATCH', { fields, record: { nameMasked: maskName(student.name), idNumberMasked: maskIdNumber(student.id_number) } });
  }
  const source = await repo.faceSource(db, student.id);
  if (!source) throw fail('FULFILMENT_IDENTITY_MISMATCH', { fields: ['educationId'] });
  assertK12Stage(source.stage);
  return source;
}

/** Why this card cannot be replaced by this service for this reason now, or null. */
export async function replaceBlock(db: DbOrTx, kind: ApplicationKind, student: Pick<FaceSource, 'stage'>, card: CardRow, reason: ReplacementReason = 'lost'): Promise<string | null> {
  if (card.product !== productOfKind[kind]) return 'FULFILMENT_WRONG_PRODUCT';
  if (kind === 'sticker' && student.stage !== 'middle' && student.stage !== 'high') return 'FULFILMENT_STICKER_STAGE';
  if (!reasonsOf(kind).includes(reason)) return 'FULFILMENT_DAMAGED_CARD';
  if (!mayReplace(kind, reason, card.status)) return reason === 'lost' ? 'FULFILMENT_CARD_NOT_LOST' : 'FULFILMENT_STICKER_NOT_IN_USE';
  if (await repo.openApplicationOfCard(db, card.id)) return 'FULFILMENT_ALREADY_APPLIED';
  return null;
}

/**
 * The reasons this card may be applied for now, and otherwise why not: an open application says
 * so first (whatever the card's status), then the refusal of the service's first reason.
 */
async function replaceOptions(db: DbOrTx, kind: ApplicationKind, student: Pick<FaceSource, 'stage'>, card: CardRow): Promise<{ reasons: ReplacementReason[]; block: string | null }> {
  const blocks = new Map<ReplacementReason, string | null>();
  for (const reason of replacementReasons) blocks.set(reason, await replaceBlock(db, kind, student, card, reason));
  const reasons = replacementReasons.filter((reason) => blocks.get(reason) === null);
  if (reasons.length > 0) return { reasons, block: null };
  const all = [...blocks.values()];
  return { reasons, block: all.includes('FULFILMENT_ALREADY_APPLIED') ? 'FULFILMENT_ALREADY_APPLIED' : (all[0] ?? null) };
}

/** 卡片补办 (seed 000): the card information as the app shows it, masked. */
export async function maskedCardInfo(ctx: AppContext, kind: ApplicationKind, student: FaceSource, card: CardRow): Promise<MaskedCardInfo> {
  const { reasons, block } = await replaceOptions(ctx.db, kind, student, card);
  const applied = block === 'FULFILMENT_ALREADY_APPLIED';
  const product = card.product === 'k12_sticker' ? 'k12_sticker' : 'k12_card';
  const transitValid = transitValidByDate(card, ctx.clock);
  return {
    cardId: card.id,
    product,
    nameMasked: maskName(student.name),
    gender: student.gender,
    educationId: student.education_id,
    beijingTongNoMasked: maskCardNo(card.card_no),
    yikatongNoMasked: card.linked_card_no ? maskCardNo(card.linked_card_no) : null,
    schoolName: student.school_name,
    category: categoryOf(student.stage),
    categoryLabel: stageLabels[student.stage],
    classNo: student.class_no,
    cardStatus: card.status,
    holdStatus: applied ? { zh: '补卡中', en: 'replacement in progress' } : card.status === 'lost' ? { zh: '待补卡', en: 'awaiting replacement' } : statusLabels[card.status],
    transitValid,
    transitValidity: transitValid ? { zh: '有效卡', en: 'valid' } : { zh: '无效卡', en: 'not valid' },
    cardType: productLabels[product],
    replaceReasons: reasons,
    replaceable: reasons.length > 0,
    notReplaceableCode: block,
  };
}

export const replacementNotes = [
  { zh: '学生卡补办需经三步操作：挂失、申请、缴费。', en: 'A replacement takes three steps: report the loss, apply, pay.' },
  { zh: '无效卡会导致公交充值失败，请联系学校卡管员处理。', en: 'An invalid card makes transit top-ups fail; contact the school card manager.' },
  { zh: '缴费完成后，具体领卡时间请咨询各校卡管员。', en: 'After paying, ask the school card manager when to collect the card.' },
  { zh: '节假日期间不予缴费，假期后工作日配送。', en: 'No payments on public holidays; deliveries resume on the next working day.' },
];

export async function verifyForReplacement(ctx: AppContext, caller: Caller, check: IdentityCheck): Promise<VerifyResult> {
  const student = await verifyIdentity(ctx.db, ctx.clock, caller, check);
  const cards = (await cardsRepository.cardsOfStudents(ctx.db, [student.student_id])).filter((c) => c.product === productOfKind[check.kind]);
  const infos = [];
  for (const card of cards) infos.push(await maskedCardInfo(ctx, check.kind, student, card));
  return { studentId: student.student_id, kind: check.kind, cards: infos, notes: check.kind === 'replacement' ? replacementNotes : replacementNotes.slice(1, 2) };
}
