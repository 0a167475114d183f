import { initialApplicationStatus, needsFee, nextApplicationStatus } from '../../domain/fulfilment-lifecycle.js';
import { accessibleStudentIds, assertStudentAccess, consoleListScope } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { isOpen } from '../payments/order-rules.js';
import { paymentsRepository } from '../payments/payments.repository.js';
import { replacementFeeFen } from './card-face.js';
import { applicationView } from './application-view.js';
import { ensureConfirmation } from './confirmations.js';
import './fulfilment.errors.js';
import type { ApplicationDto, ApplicationKind, CreateApplication } from './fulfilment.schemas.js';
import { fulfilmentRepository as repo, type ApplicationRow } from './fulfilment.repository.js';
import { recordStep } from './notifications.js';
import { replaceBlock, verifyIdentity } from './verify-identity.js';

const actorOf = (caller: Caller) => ({ role: caller.role, id: caller.subjectId });

/**
 * 申请补卡 / 补换申请: the identity is checked again, the card must be the applicant's own and
 * reported lost (a sticker: lost, or damaged while still in use — nothing happens to a damaged
 * sticker now, it stays usable until pickup), and a card is replaced once: the card's row lock
 * serialises two racing applications and the unique index on open applications per card is the
 * last word. A replacement then waits for its ¥15 fee; a sticker goes straight to production.
 */
export async function applyForReplacement(ctx: AppContext, caller: Caller, input: CreateApplication, requestId: string): Promise<ApplicationDto> {
  const student = await verifyIdentity(ctx.db, ctx.clock, caller, input);
  const card = await cardsRepository.lockCard(ctx.db, input.cardId);
  if (!card || card.student_id !== student.student_id) throw fail('CARD_NOT_FOUND', { cardId: input.cardId });
  const block = await replaceBlock(ctx.db, input.kind, student, card, input.reason);
  if (block) throw fail(block, { cardId: card.id, cardStatus: card.status, reason: input.reason });
  await ensureConfirmation(ctx.db, ctx.clock, { id: student.student_id, school_id: student.school_id });
  const now = ctx.clock.now();
  const home = input.delivery.method === 'home' ? input.delivery : null;
  const row: ApplicationRow = {
    id: newId(),
    kind: input.kind,
    student_id: student.student_id,
    school_id: student.school_id,
    old_card_id: card.id,
    reason: input.reason,
    status: initialApplicationStatus(input.kind),
    delivery_method: input.delivery.method,
    recipient: home?.recipient ?? null,
    phone: home?.phone ?? null,
    address: home?.address ?? null,
    fee_fen: needsFee(input.kind) ? replacementFeeFen : 0,
    fee_order_id: null,
    paid_at: null,
    batch_id: null,
    new_card_no: null,
    new_sticker_no: null,
    new_card_id: null,
    delivery_id: null,
    balance_transfer_due_at: null,
    balance_transferred_at: null,
    balance_transferred_fen: null,
    created_by_role: caller.role,
    created_by: caller.subjectId,
    created_at: now,
    updated_at: now,
  };
  await repo.insertApplication(ctx.db, row);
  await recordStep(ctx.db, ctx.clock, row, 'applied', actorOf(caller), requestId, null, { kind: row.kind, reason: row.reason, cardId: card.id, delivery: row.delivery_method });
  return applicationView(ctx.db, ctx.clock, row);
}

/**
 * The card's replacement still under way (neither completed nor cancelled), for card services: such
 * a card is not returned (退卡), since completing the application replaces it, which a returned card
 * cannot be. Read under the card's lock, which applications take too.
 */
export function replacementUnderway(db: DbOrTx, cardId: string): Promise<Pick<ApplicationRow, 'id' | 'kind' | 'status'> | undefined> {
  return repo.unfinishedApplicationOfCard(db, cardId);
}

export async function accessibleApplication(ctx: AppContext, caller: Caller, applicationId: string, lock = false): Promise<ApplicationRow> {
  const app = lock ? await repo.lockApplication(ctx.db, applicationId) : await repo.findApplication(ctx.db, applicationId);
  if (!app) throw fail('FULFILMENT_APPLICATION_NOT_FOUND', { applicationId });
  await assertStudentAccess(ctx.db, caller, app.student_id);
  return app;
}

/** 补卡进度查询. */
export async function getApplication(ctx: AppContext, caller: Caller, applicationId: string): Promise<ApplicationDto> {
  return applicationView(ctx.db, ctx.clock, await accessibleApplication(ctx, caller, applicationId));
}

export async function listApplications(ctx: AppContext, caller: Caller, filter: { studentId?: string | undefined; kind?: ApplicationKind | undefined }): Promise<ApplicationDto[]> {
  let studentIds = await accessibleStudentIds(ctx.db, caller);
  if (filter.studentId) {
    await assertStudentAccess(ctx.db, caller, filter.studentId);
    studentIds = [filter.studentId];
  }
  const rows = await repo.listApplications(ctx.db, { studentIds, kind: filter.kind });
  const items = [];
  for (const row of rows) items.push(await applicationView(ctx.db, ctx.clock, row));
  return items;
}

/** Withdraws an application before it is paid (a pending fee order must be cancelled first); the card may be applied for again. */
export async function cancelApplication(ctx: AppContext, caller: Caller, applicationId: string, requestId: string): Promise<ApplicationDto> {
  const app = await accessibleApplication(ctx, caller, applicationId, true);
  nextApplicationStatus(app.kind, app.status, 'withdraw'); // refused by status before the fee order is looked up
  const order = app.fee_order_id ? await paymentsRepository.findOrder(ctx.db, app.fee_order_id) : undefined;
  const pending = order && (isOpen(order.status) || order.status === 'paid' || order.status === 'fulfilled') ? { orderId: order.id, orderStatus: order.status } : undefined;
  const status = nextApplicationStatus(app.kind, app.status, 'withdraw', { feeOrderOpenOrPaid: pending });
  const now = ctx.clock.now();
  await repo.updateApplication(ctx.db, app.id, { status, updated_at: now });
  await recordStep(ctx.db, ctx.clock, app, 'cancelled', actorOf(caller), requestId);
  return applicationView(ctx.db, ctx.clock, { ...app, status, updated_at: now });
}

/** The console's list of replacement and sticker applications: a card manager their school's, an operator all. */
export async function listAdminApplications(ctx: AppContext, caller: Caller, filter: { kind?: ApplicationKind | undefined; status?: ApplicationRow['status'] | undefined; schoolId?: string | undefined; batchId?: string | undefined }, page: { page: number; pageSize: number }) {
  const { rows, total } = await repo.applicationPage(ctx.db, { ...filter, schoolId: consoleListScope(caller, filter.schoolId) }, (page.page - 1) * page.pageSize, page.pageSize);
  const items = [];
  for (const row of rows) items.push(await applicationView(ctx.db, ctx.clock, row, { showAddress: caller.role === 'operator' }));
  return { items, total, page: page.page, pageSize: page.pageSize };
}
