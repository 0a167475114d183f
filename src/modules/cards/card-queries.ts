import { assertCardNo } from '../../domain/card-numbers.js';
import { statusLabels, type CardStatus } from '../../domain/card-lifecycle.js';
import { graceEndsOn, type ValidityState } from '../../domain/validity.js';
import { accessibleStudentIds, assertStudentAccess } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { accountCodes, accountStatement, findAccountByCode, type Statement, type LedgerTransactionType } from '../ledger/ledger.js';
import { accessibleCard } from './card-access.js';
import { cardView, isTransitValid, transitValidityOf, validityOf, type CardView } from './card-view.js';
import { cardsRepository as repo } from './cards.repository.js';

/** The caller's cards (a parent: their children's; staff: one student's, which they must name). */
export async function listCards(ctx: AppContext, caller: Caller, studentId: string | undefined): Promise<CardView[]> {
  let studentIds: string[];
  if (studentId) {
    await assertStudentAccess(ctx.db, caller, studentId);
    studentIds = [studentId];
  } else {
    const ids = await accessibleStudentIds(ctx.db, caller);
    if (ids === null) throw fail('VALIDATION_FAILED', { reason: 'studentId is required for staff' });
    studentIds = ids;
  }
  const cards = await repo.cardsOfStudents(ctx.db, studentIds);
  return Promise.all(cards.map((c) => cardView(ctx.db, ctx.clock, c)));
}

export async function getCard(ctx: AppContext, caller: Caller, cardId: string): Promise<CardView> {
  return cardView(ctx.db, ctx.clock, await accessibleCard(ctx.db, caller, cardId));
}

export interface StatusHistoryEntry {
  version: number;
  fromStatus: CardStatus | null;
  toStatus: CardStatus;
  reason: string;
  actorRole: string;
  at: string;
}

export async function cardHistory(ctx: AppContext, caller: Caller, cardId: string): Promise<StatusHistoryEntry[]> {
  const card = await accessibleCard(ctx.db, caller, cardId);
  return (await repo.statusHistory(ctx.db, card.id)).map((e) => ({
    version: Number(e.version), fromStatus: e.from_status, toStatus: e.to_status, reason: e.reason, actorRole: e.actor_role, at: e.at.toISOString(),
  }));
}

export interface CardTransactionsQuery {
  from?: Date;
  to?: Date;
  type?: LedgerTransactionType;
  page: number;
  pageSize: number;
}

/** The card purse's posted transactions with the running balance, newest first. */
export async function cardTransactions(ctx: AppContext, caller: Caller, cardId: string, query: CardTransactionsQuery): Promise<Statement> {
  const card = await accessibleCard(ctx.db, caller, cardId);
  const purse = await findAccountByCode(ctx.db, accountCodes.purse(card.id));
  return accountStatement(ctx.db, purse.id, query);
}

export interface PublicCardStatus {
  cardNo: string;
  status: CardStatus;
  /** Student fares apply now: in normal status and within its dates (isTransitValid). */
  transitValid: boolean;
  /** 公交有效性 as the card view shows it (transitValidityOf): a lost card within its dates is still 有效卡; null for a card that never rides transit. */
  transitValidity: 'valid' | 'invalid' | null;
  validUntil: string | null;
  validity: ValidityState;
  graceUntil: string | null;
  message: string;
  messageEn: string;
}

/** 学生卡查询 without login: the status, 公交有效性 and the dates, nothing personal. A malformed number is a 400. */
export async function publicCardStatus(ctx: AppContext, cardNo: string): Promise<PublicCardStatus> {
  assertCardNo(cardNo);
  const card = await repo.findCardByNo(ctx.db, cardNo);
  if (!card) throw fail('CARD_NOT_FOUND', { cardNo });
  const validity = validityOf(card, ctx.clock);
  const graceUntil = validity === 'grace' ? graceEndsOn(card.valid_until!) : null;
  const active = card.status === 'active';
  return {
    cardNo: card.card_no,
    status: card.status,
    transitValid: isTransitValid(card, ctx.clock),
    transitValidity: transitValidityOf(card, ctx.clock),
    validUntil: card.valid_until,
    validity,
    graceUntil,
    message: active && graceUntil ? `卡已于 ${card.valid_until} 到期，宽限期至 ${graceUntil}，请尽快办理延期`
      : active && validity === 'expired' ? `卡已过有效期（${card.valid_until}），请办理延期` : statusLabels[card.status].zh,
    messageEn: active && graceUntil ? `The card expired on ${card.valid_until}; it works until ${graceUntil} (grace period): please extend it`
      : active && validity === 'expired' ? `The card expired on ${card.valid_until}; please extend it` : `The card is ${statusLabels[card.status].en}`,
  };
}
