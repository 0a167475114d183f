import { shanghaiDate } from '../../domain/calendar.js';
import { applicationAllows, nextApplicationStatus } from '../../domain/fulfilment-lifecycle.js';
import { recordAudit, systemActor, type AuditActor } from '../../platform/audit.js';
import { assertSchoolAccess } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import type { Clock } from '../../platform/clock.js';
import { fail } from '../../platform/errors.js';
import { enqueueJob } from '../../platform/jobs.js';
import { allowedEvents } from '../../domain/card-lifecycle.js';
import { k12ValidUntilOnIssue } from '../card-services/issue-validity.js';
import { isYearlyExtended } from '../card-services/extension-rules.js';
import { changeCardStatus } from '../cards/card-status.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { issueCard } from '../cards/issue-card.js';
import { accountCodes, findAccountByCode, transferBalance } from '../ledger/ledger.js';
import { applicationView } from './application-view.js';
import { enrolledAtSchool } from './first-card.js';
import { cardFaceOf, defaultSettlementWindowDays, productOfKind } from './card-face.js';
import './fulfilment.errors.js';
import type { ApplicationDto, FulfilmentSettings } from './fulfilment.schemas.js';
import { fulfilmentRepository as repo, type ApplicationRow } from './fulfilment.repository.js';
import { recordStep } from './notifications.js';

export const transferJobKind = 'fulfilment.transfer-balance';
const dayMs = 86_400_000;

export async function settlementWindowDays(db: DbOrTx): Promise<number> {
  return (await repo.settlementWindowDays(db)) ?? defaultSettlementWindowDays;
}

export async function getSettings(ctx: AppContext): Promise<FulfilmentSettings> {
  return { settlementWindowDays: await settlementWindowDays(ctx.db) };
}

export async function putSettings(ctx: AppContext, caller: Caller, settings: FulfilmentSettings, requestId: string): Promise<FulfilmentSettings> {
  const before = await settlementWindowDays(ctx.db);
  await repo.putSettlementWindowDays(ctx.db, settings.settlementWindowDays, ctx.clock.now(), caller.subjectId);
  await recordAudit(ctx.db, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'settings.fulfilment_settlement_window', entityType: 'setting', entityId: 'fulfilment_settlement_window_days', before, after: settings.settlementWindowDays, requestId });
  return settings;
}

/**
 * A new card's transit validity (docs/cards.md, "Validity of a new card"): a Beijing-tong card is on
 * the yearly extension's cycle (k12ValidUntilOnIssue), though its face says graduation; a sticker,
 * which no extension renews, keeps the graduation date printed for it.
 */
async function newCardValidUntil(tx: DbOrTx, clock: Clock, app: ApplicationRow): Promise<string | null> {
  const today = shanghaiDate(clock.now());
  const product = productOfKind[app.kind];
  if (isYearlyExtended(product)) return k12ValidUntilOnIssue(tx, app.student_id, today);
  const source = await repo.faceSource(tx, app.student_id);
  return source ? cardFaceOf(source, today).validUntil : null;
}

/**
 * The card is in the holder's hands (picked up at school, or signed for at home): in one
 * transaction the old card becomes `replaced` (it is on the deny-list from now), the new card is
 * issued active under the number it was printed with (superseded when the student's e-card holds
 * transit: it replaces the lost physical card, the e-card keeps transit), and the move of the old
 * purse's balance is scheduled after the settlement window, when the old card's last taps have been settled.
 * At the school it is handed over only to a student still enrolled there (FULFILMENT_HOLDER_LEFT_SCHOOL
 * otherwise: it is sent home by courier instead, redeliver.ts); a courier's delivery home asks nothing.
 */
export async function completeApplication(tx: DbOrTx, clock: Clock, app: ApplicationRow, actor: AuditActor, requestId: string | null): Promise<ApplicationRow> {
  if (app.old_card_id === null) return completeFirstCard(tx, clock, app, actor, requestId);
  const oldCardId = app.old_card_id;
  const atSchool = app.delivery_method === 'school';
  const status = nextApplicationStatus(app.kind, app.status, 'complete', { atSchool, holderEnrolledAtSchool: atSchool ? await enrolledAtSchool(tx, app, true) : undefined });
  const reason = `replacement:${app.id}`;
  // A card still in use is retired all the same: one found again (解挂) after the application, or a
  // damaged sticker, usable until now. Where its machine has no `replace` from that status it is
  // reported lost first, so it is on the deny-list either way.
  const old = await cardsRepository.lockCard(tx, oldCardId);
  const oldEvents = old ? allowedEvents(old.product, old.status) : [];
  if (old && !oldEvents.includes('replace') && oldEvents.includes('report_loss')) {
    await changeCardStatus(tx, clock, { cardId: old.id, event: 'report_loss', reason, actor, requestId });
  }
  await changeCardStatus(tx, clock, { cardId: oldCardId, event: 'replace', reason, actor, requestId });
  const card = await issueCard(tx, clock, {
    product: productOfKind[app.kind], studentId: app.student_id, active: true, supersededIfTransitHeld: true, cardNo: app.new_card_no ?? undefined, replacesCardId: oldCardId,
    validUntil: await newCardValidUntil(tx, clock, app), reason, actor, requestId,
  });
  const now = clock.now();
  const due = new Date(now.getTime() + (await settlementWindowDays(tx)) * dayMs);
  await repo.updateApplication(tx, app.id, { status, new_card_id: card.id, balance_transfer_due_at: due, updated_at: now });
  await recordStep(tx, clock, app, 'picked_up', actor, requestId, null, { newCardId: card.id, oldCardId: app.old_card_id, balanceTransferDueAt: due.toISOString() });
  await enqueueJob(tx, clock, transferJobKind, { applicationId: app.id }, { runAt: due, uniqueKey: `${transferJobKind}:${app.id}`, maxAttempts: 10 });
  return { ...app, status, new_card_id: card.id, balance_transfer_due_at: due, updated_at: now };
}

/**
 * A first card (新生制卡) in the student's hands: issued under the number it was printed with, not
 * yet active, since the holder activates it in the app (seed 000: 用户领取北京市中小学生卡后，在此做卡片激活).
 * Nothing is replaced and no balance moves. Only to a student still enrolled at the school it was
 * made for (FULFILMENT_HOLDER_NOT_ENROLLED otherwise: the card manager voids it, voidFirstCard).
 * The student is read under the application's lock, which a leaving or moving student's change
 * takes too (giveUpFirstCard), so a pickup and a move are one after the other.
 */
async function completeFirstCard(tx: DbOrTx, clock: Clock, app: ApplicationRow, actor: AuditActor, requestId: string | null): Promise<ApplicationRow> {
  const holderEnrolledAtSchool = await enrolledAtSchool(tx, app);
  const status = nextApplicationStatus(app.kind, app.status, 'complete', { holderEnrolledAtSchool });
  const card = await issueCard(tx, clock, {
    product: productOfKind[app.kind], studentId: app.student_id, active: false, cardNo: app.new_card_no ?? undefined,
    validUntil: await newCardValidUntil(tx, clock, app), reason: `new_card:${app.id}`, actor, requestId,
  });
  const sticker = await issueStickerWithCard(tx, clock, app, actor, requestId);
  const now = clock.now();
  await repo.updateApplication(tx, app.id, { status, new_card_id: card.id, updated_at: now });
  await recordStep(tx, clock, app, 'picked_up', actor, requestId, null, { newCardId: card.id, stickerCardId: sticker?.id ?? null });
  return { ...app, status, new_card_id: card.id, updated_at: now };
}

/**
 * A middle or high school student's first card comes with a sticker (卡贴, seed 000), handed over with
 * it and, like it, waiting for activation. It is issued under the number the batch reserved for it and
 * the printer wrote on its chip (new_sticker_no), so a lost sticker is deny-listed under its own number;
 * an application without one had no sticker made (a primary pupil). It keeps the graduation date
 * printed for it (no extension renews a sticker) and is replaced on its own when lost or damaged (补换卡贴).
 */
async function issueStickerWithCard(tx: DbOrTx, clock: Clock, app: ApplicationRow, actor: AuditActor, requestId: string | null) {
  const source = await repo.faceSource(tx, app.student_id);
  if (!source || app.new_sticker_no === null) return null;
  const validUntil = cardFaceOf(source, shanghaiDate(clock.now())).validUntil;
  return issueCard(tx, clock, { product: 'k12_sticker', studentId: app.student_id, active: false, cardNo: app.new_sticker_no, validUntil, reason: `new_card:${app.id}`, actor, requestId });
}

/** 领卡: the school card manager hands the card over (school delivery), to a student still enrolled at the school. */
export async function confirmPickup(ctx: AppContext, caller: Caller, applicationId: string, requestId: string): Promise<ApplicationDto> {
  const app = await repo.lockApplication(ctx.db, applicationId);
  if (!app) throw fail('FULFILMENT_APPLICATION_NOT_FOUND', { applicationId });
  assertSchoolAccess(caller, app.school_id);
  if (app.delivery_method !== 'school') throw fail('FULFILMENT_STATUS_INVALID', { status: app.status, reason: 'home deliveries complete when the courier delivers' });
  const done = await completeApplication(ctx.db, ctx.clock, app, { role: caller.role, id: caller.subjectId }, requestId);
  return applicationView(ctx.db, ctx.clock, done);
}

/**
 * The job after the settlement window: the old purse's available balance moves to the new card's
 * purse (once: the ledger's idempotency key is the application's), and the application records it.
 */
export async function transferOldBalance(ctx: AppContext, applicationId: string): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const app = await repo.lockApplication(tx, applicationId);
    if (!app || !applicationAllows(app.kind, app.status, 'move_balance') || !app.old_card_id || !app.new_card_id || app.balance_transferred_at) return;
    if (app.balance_transfer_due_at && app.balance_transfer_due_at.getTime() > ctx.clock.now().getTime()) {
      throw new Error(`balance transfer of ${app.id} is not due before ${app.balance_transfer_due_at.toISOString()}`);
    }
    const [from, to] = await Promise.all([findAccountByCode(tx, accountCodes.purse(app.old_card_id)), findAccountByCode(tx, accountCodes.purse(app.new_card_id))]);
    const moved = await transferBalance(tx, ctx.clock, {
      idempotencyKey: `fulfilment-transfer:${app.id}`, fromAccountId: from.id, toAccountId: to.id, memo: '补卡余额转移', metadata: { applicationId: app.id, oldCardId: app.old_card_id, newCardId: app.new_card_id }, actor: systemActor,
    });
    const posting = moved?.postings.find((p) => p.accountId === to.id);
    const amountFen = posting ? posting.creditFen - posting.debitFen : 0;
    const now = ctx.clock.now();
    await repo.updateApplication(tx, app.id, { balance_transferred_at: now, balance_transferred_fen: amountFen, updated_at: now });
    await recordStep(tx, ctx.clock, app, 'balance_moved', systemActor, null, null, { amountFen, ledgerTransactionId: moved?.id ?? null });
  });
}
