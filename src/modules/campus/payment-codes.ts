import { randomInt } from 'node:crypto';
import { paymentCodeTtlMs } from '../../domain/campus-payments.js';
import { maskCardNo } from '../../domain/masking.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { verifyQueryPassword } from '../identity/change-password.js';
import { accountCodes, balanceOf, findAccountByCode } from '../ledger/ledger.js';
import './campus.errors.js';
import { campusRepository as repo } from './campus.repository.js';
import type { PaymentCodeDto } from './campus.schemas.js';

/** 18 digits like the payment codes of the wallets the POS also scans, the first two fixed. */
function newPaymentCode(): string {
  let digits = '28';
  while (digits.length < 18) digits += String(randomInt(0, 10));
  return digits;
}

/** The campus card a student pays with, or CAMPUS_CARD_NOT_IN_USE. */
export async function campusCardOf(ctx: AppContext, studentId: string) {
  const card = await repo.activeCampusCard(ctx.db, studentId);
  if (!card) throw fail('CAMPUS_CARD_NOT_IN_USE');
  return card;
}

/** The university of a student holding a campus card in use: where their campus services are. */
export async function campusSchoolOf(ctx: AppContext, caller: Caller): Promise<string> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  await campusCardOf(ctx, caller.subjectId);
  return (await repo.payer(ctx.db, caller.subjectId)).school_id;
}

/**
 * 消费认证码 (seed 004): the student shows it at the canteen POS instead of the card. Asking for
 * one takes the query password ("用于扫码支付时输入的密码"); the code pays once, within a minute,
 * and a new code ends the card's earlier ones. A lost card's code pays nothing (its card is checked
 * again at the POS).
 */
export async function issuePaymentCode(ctx: AppContext, caller: Caller, queryPassword: string, source: string): Promise<PaymentCodeDto> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  const card = await campusCardOf(ctx, caller.subjectId);
  await verifyQueryPassword(ctx, caller.subjectId, queryPassword, source);
  const now = ctx.clock.now();
  const expiresAt = new Date(now.getTime() + paymentCodeTtlMs);
  const code = newPaymentCode();
  await inTransaction(ctx.db, async (tx) => {
    // The card's lock makes "a new code ends the last" hold for two asks at once too.
    const locked = await cardsRepository.lockCard(tx, card.id);
    if (!locked || locked.status !== 'active') throw fail('CAMPUS_CARD_NOT_IN_USE');
    await repo.replaceCodes(tx, { code, card_id: card.id, student_id: caller.subjectId, issued_at: now, expires_at: expiresAt, used_at: null }, now);
  });
  const [balance, payer] = await Promise.all([balanceOf(ctx.db, (await findAccountByCode(ctx.db, accountCodes.purse(card.id))).id), repo.payer(ctx.db, caller.subjectId)]);
  return { code, expiresAt: expiresAt.toISOString(), validForSeconds: paymentCodeTtlMs / 1000, cardId: card.id, cardNoMasked: maskCardNo(card.card_no), balanceFen: balance.availableFen, purchaseLimitFen: payer.campus_purchase_limit_fen };
}
