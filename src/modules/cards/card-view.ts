import { allowedEvents, keepsBalanceOnCard, statusLabels, type CardEvent, type CardStatus } from '../../domain/card-lifecycle.js';
import { shanghaiDate } from '../../domain/calendar.js';
import { graceEndsOn, validityOn, type ValidityState } from '../../domain/validity.js';
import { maskCardNo, maskName } from '../../domain/masking.js';
import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import type { EnrolmentStatus } from '../../platform/db/schema.js';
import { accountCodes, balanceOf, findAccountByCode } from '../ledger/ledger.js';
import { pendingTopUpFen } from '../transit/action-list.js';
import { extensionCardBlock } from '../card-services/extension-rules.js';
import type { CardRow } from './cards.repository.js';
import type { CardDevice, CardMedium, CardProduct, CardStage } from './cards.tables.js';

export type TopUpBlock = Exclude<CardStatus, 'active'> | 'expired' | 'product';

export interface CardView {
  id: string;
  cardNo: string;
  cardNoMasked: string;
  product: CardProduct;
  medium: CardMedium;
  device: CardDevice | null;
  stage: CardStage | null;
  status: CardStatus;
  statusLabel: { zh: string; en: string };
  transitValid: boolean;
  /**
   * 公交有效性 as the replacement wizard shows it (transitValidByDate: a lost card waiting for its
   * replacement is still 有效卡, seed 000); null for a card that never rides transit (a campus or
   * temporary card, an account spent at the university's tills), whose page says nothing of transit.
   */
  transitValidity: 'valid' | 'invalid' | null;
  validUntil: string | null;
  /** Valid, in its grace period after validUntil (rides, tops up, may still be extended), or expired. */
  validity: ValidityState;
  /** The grace period's last day, while the card is in it. */
  graceUntil: string | null;
  activatedAt: string | null;
  linkedCardNoMasked: string | null;
  studentId: string;
  holderNameMasked: string;
  /** The holder's grade and class: with the school and the card's masked number, what tells siblings apart. */
  holderGrade: number | null;
  holderClassNo: string | null;
  /** The holder's enrolment: one who graduated, transferred or left is offered 退卡退资 (domain rules 10). */
  holderStatus: EnrolmentStatus;
  school: { id: string; name: string; theme: string; servicePoint: string | null };
  balanceFen: number;
  availableFen: number;
  /** Paid online, not yet on the card: written to it at its next tap (the transit action list). */
  pendingTopUpFen: number;
  canTopUp: boolean;
  topUpBlockedReason: TopUpBlock | null;
  /** The K-12 yearly extension applies to this card as it stands (product, status); the window, the year's extension and graduation are checked when extending. */
  canExtend: boolean;
  allowedEvents: CardEvent[];
}

export const topUpProducts: readonly CardProduct[] = ['k12_card', 'k12_ecard', 'university_ecard', 'campus_card'];

export function validityOf(card: Pick<CardRow, 'valid_until'>, clock: Clock): ValidityState {
  return validityOn(card.valid_until, shanghaiDate(clock.now()));
}

/** Past its validity and its grace period. */
export function isExpired(card: Pick<CardRow, 'valid_until'>, clock: Clock): boolean {
  return validityOf(card, clock) === 'expired';
}

/** Why a card cannot be topped up (lost, returned, superseded by an e-card, expired…), or null. */
export function topUpBlock(card: Pick<CardRow, 'product' | 'status' | 'valid_until'>, clock: Clock): TopUpBlock | null {
  if (!topUpProducts.includes(card.product)) return 'product';
  if (card.status !== 'active') return card.status;
  return isExpired(card, clock) ? 'expired' : null;
}

/** Transit discounts need an active student card that taps at terminals (activated), valid or in its grace period. */
export function isTransitValid(card: Pick<CardRow, 'product' | 'status' | 'valid_until'>, clock: Clock): boolean {
  return card.status === 'active' && transitValidByDate(card, clock);
}

/**
 * 公交有效性 as the replacement wizard shows it: a card that taps at transit terminals (a sticker
 * too), in use or reported lost (seed 000: a card 待补卡 is still 有效卡 — that is its dates, not
 * its loss), within its validity or grace period. An expired card is 无效卡 (its holder asks the
 * card manager to extend it), and so is one not yet activated, suspended, given way to an e-card,
 * or out of service.
 */
export function transitValidByDate(card: Pick<CardRow, 'product' | 'status' | 'valid_until'>, clock: Clock): boolean {
  return keepsBalanceOnCard(card.product) && (card.status === 'active' || card.status === 'lost') && !isExpired(card, clock);
}

/**
 * 公交有效性 wherever it is shown (the card view, the public 学生卡查询): 'valid' / 'invalid' by
 * transitValidByDate, or null for a card that never rides transit (a campus or temporary card).
 */
export function transitValidityOf(card: Pick<CardRow, 'product' | 'status' | 'valid_until'>, clock: Clock): 'valid' | 'invalid' | null {
  if (!keepsBalanceOnCard(card.product)) return null;
  return transitValidByDate(card, clock) ? 'valid' : 'invalid';
}

/** The default card face per stage, when the school has not chosen its own. */
export function themeOf(school: { card_theme: string | null }, stage: CardStage | null): string {
  return school.card_theme ?? `stage-${stage ?? 'primary'}`;
}

export async function cardView(db: DbOrTx, clock: Clock, card: CardRow): Promise<CardView> {
  const [student, school] = await Promise.all([
    db.selectFrom('students').leftJoin('classes', 'classes.id', 'students.class_id').select(['students.name', 'students.status', 'classes.grade', 'classes.class_no']).where('students.id', '=', card.student_id).executeTakeFirstOrThrow(),
    db.selectFrom('schools').select(['id', 'name', 'card_theme', 'service_point']).where('id', '=', card.school_id).executeTakeFirstOrThrow(),
  ]);
  const [balance, pendingFen] = await Promise.all([
    findAccountByCode(db, accountCodes.purse(card.id)).then((purse) => balanceOf(db, purse.id)),
    pendingTopUpFen(db, card.id),
  ]);
  const block = topUpBlock(card, clock);
  const validity = validityOf(card, clock);
  return {
    id: card.id,
    cardNo: card.card_no,
    cardNoMasked: maskCardNo(card.card_no),
    product: card.product,
    medium: card.medium,
    device: card.device,
    stage: card.stage,
    status: card.status,
    statusLabel: statusLabels[card.status],
    transitValid: isTransitValid(card, clock),
    transitValidity: transitValidityOf(card, clock),
    validUntil: card.valid_until,
    validity,
    graceUntil: validity === 'grace' ? graceEndsOn(card.valid_until!) : null,
    activatedAt: card.activated_at?.toISOString() ?? null,
    linkedCardNoMasked: card.linked_card_no ? maskCardNo(card.linked_card_no) : null,
    studentId: card.student_id,
    holderNameMasked: maskName(student.name),
    holderGrade: student.grade,
    holderClassNo: student.class_no,
    holderStatus: student.status,
    school: { id: school.id, name: school.name, theme: themeOf(school, card.stage), servicePoint: school.service_point },
    balanceFen: balance.postedFen,
    availableFen: balance.availableFen,
    pendingTopUpFen: pendingFen,
    canTopUp: block === null,
    topUpBlockedReason: block,
    canExtend: extensionCardBlock(card) === null,
    allowedEvents: allowedEvents(card.product, card.status),
  };
}
