import { generateCardNo, type CardNumberKind } from '../../domain/card-numbers.js';
import { issueStatus, type CardProduct } from '../../domain/card-lifecycle.js';
import type { AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import { inTransaction, type DbOrTx, type Tx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { accountCodes, ensureAccount } from '../ledger/ledger.js';
import { appendStatusEvent } from './card-status.js';
import { cardsRepository as repo, type CardRow } from './cards.repository.js';
import type { CardDevice, CardMedium, CardStage } from './cards.tables.js';

export interface NewCard {
  product: CardProduct;
  studentId: string;
  /** Defaults to the product's own medium. */
  medium?: CardMedium;
  device?: CardDevice | null;
  stage?: CardStage | null;
  /** A number that already exists outside Onecard (a linked interoperable card); otherwise generated. */
  cardNo?: string;
  linkedCardNo?: string | null;
  replacesCardId?: string | null;
  validUntil?: string | null;
  /** Issue straight into `active` (e-cards are active once opened); physical K-12 cards wait for activation. */
  active?: boolean;
  /**
   * A physical K-12 card handed over while the student's e-card holds transit (a replacement) is
   * issued `superseded` instead of being refused with CARD_ONE_ACTIVE (docs/cards.md).
   */
  supersededIfTransitHeld?: boolean;
  reason: string;
  actor: AuditActor;
  requestId: string | null;
}

const numberKinds: Record<CardProduct, CardNumberKind> = {
  k12_card: 'beijing_tong',
  k12_sticker: 'beijing_tong',
  k12_ecard: 'yikatong',
  university_ecard: 'yikatong',
  campus_card: 'yikatong',
  temporary_card: 'yikatong',
};

const media: Record<CardProduct, CardMedium> = {
  k12_card: 'physical',
  k12_sticker: 'sticker',
  k12_ecard: 'phone',
  university_ecard: 'phone',
  campus_card: 'physical',
  temporary_card: 'physical',
};

/**
 * A new card for a student, with its purse (`purse:<cardId>`) and its first status event, in the
 * caller's transaction (or its own). The one-active-transit-card rule is checked under the student's row lock
 * and, for a racing request that slips past, by the database's unique index.
 */
export function issueCard(db: DbOrTx, clock: Clock, input: NewCard): Promise<CardRow> {
  return inTransaction(db, (tx) => insertCard(tx, clock, input));
}

async function insertCard(tx: Tx, clock: Clock, input: NewCard): Promise<CardRow> {
  const student = await tx.selectFrom('students').select(['id', 'school_id', 'stage']).where('id', '=', input.studentId).forUpdate().executeTakeFirst();
  if (!student) throw fail('NOT_FOUND', { entity: 'student', studentId: input.studentId });
  const wanted = issueStatus(input.product, { active: input.active });
  const held = wanted === 'active' && ['k12_card', 'k12_ecard', 'university_ecard'].includes(input.product) && (await repo.activeTransitCard(tx, input.studentId)) !== undefined;
  const status = held && input.supersededIfTransitHeld ? issueStatus(input.product, { active: input.active, transitHeldElsewhere: true }) : wanted;
  if (held && status === 'active') throw fail('CARD_ONE_ACTIVE', { studentId: input.studentId });
  const now = clock.now();
  const card: CardRow = {
    id: newId(),
    card_no: input.cardNo ?? (await freeCardNo(tx, numberKinds[input.product])),
    product: input.product,
    student_id: student.id,
    school_id: student.school_id,
    medium: input.medium ?? media[input.product],
    device: input.device ?? null,
    stage: input.stage ?? student.stage,
    status,
    linked_card_no: input.linkedCardNo ?? null,
    replaces_card_id: input.replacesCardId ?? null,
    valid_until: input.validUntil ?? null,
    activated_at: wanted === 'active' ? now : null,
    status_changed_at: now,
    created_at: now,
    updated_at: now,
  };
  await repo.insertCard(tx, { ...card, device: card.device ? JSON.stringify(card.device) : null });
  await ensureAccount(tx, clock, { code: accountCodes.purse(card.id), type: 'purse', ownerId: card.id, actor: input.actor });
  await appendStatusEvent(tx, clock, card, null, status, { event: 'issue', reason: input.reason, actor: input.actor, requestId: input.requestId });
  return card;
}

/** A generated number nobody holds yet (collisions are rare: 8 to 11 random digits). */
async function freeCardNo(tx: DbOrTx, kind: CardNumberKind): Promise<string> {
  for (;;) {
    const cardNo = generateCardNo(kind);
    if (!(await repo.findCardByNo(tx, cardNo))) return cardNo;
  }
}
