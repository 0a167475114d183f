import { shanghaiDate } from '../../domain/calendar.js';
import { generateCardNo } from '../../domain/card-numbers.js';
import { applicationTransition, initialBatchStatus, nextApplicationStatus, nextBatchStatus } from '../../domain/fulfilment-lifecycle.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { cardsRepository } from '../cards/cards.repository.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import { applicationView } from './application-view.js';
import { batchStatusLabels, cardFaceOf, categoryOf, productLabels, productOfKind, stageHasSticker } from './card-face.js';
import './fulfilment.errors.js';
import type { ApplicationKind, BatchDto, CreatedBatchDto } from './fulfilment.schemas.js';
import { fulfilmentRepository as repo, type BatchRow } from './fulfilment.repository.js';
import { recordStep } from './notifications.js';

/**
 * Production batches (operators): every paid application (a sticker needs no fee) whose card
 * information the student confirmed goes into a batch; each gets its new Beijing-tong number now,
 * so the printer's file carries it, and a middle or high school student's first card a second one
 * for the sticker made with it (卡贴). created → exported → produced → dispatched.
 */

const actorOf = (caller: Caller) => ({ role: caller.role, id: caller.subjectId });

function batchView(row: BatchRow, count: number): BatchDto {
  return {
    id: row.id,
    batchNo: row.batch_no,
    kind: row.kind,
    status: row.status,
    statusLabel: batchStatusLabels[row.status],
    applicationCount: count,
    createdAt: row.created_at.toISOString(),
    exportedAt: row.exported_at?.toISOString() ?? null,
    producedAt: row.produced_at?.toISOString() ?? null,
    dispatchedAt: row.dispatched_at?.toISOString() ?? null,
  };
}

/** A Beijing-tong number no card holds, no application has reserved (for a card or a sticker), and not `besides`. */
async function freeCardNo(db: DbOrTx, besides?: string): Promise<string> {
  for (;;) {
    const cardNo = generateCardNo('beijing_tong');
    if (cardNo !== besides && !(await cardsRepository.findCardByNo(db, cardNo)) && !(await repo.cardNoReserved(db, cardNo))) return cardNo;
  }
}

/**
 * The numbers printed for an application: its card's and, for a middle or high school student's
 * first card, its sticker's, so the sticker handed over at pickup is issued (and, once lost,
 * deny-listed) under the number its chip holds. None for a primary pupil or a replacement.
 */
async function reserveNumbers(db: DbOrTx, app: { kind: ApplicationKind; student_id: string }): Promise<{ new_card_no: string; new_sticker_no: string | null }> {
  const cardNo = await freeCardNo(db);
  const source = app.kind === 'new_card' ? await repo.faceSource(db, app.student_id) : undefined;
  return { new_card_no: cardNo, new_sticker_no: source && stageHasSticker(source.stage) ? await freeCardNo(db, cardNo) : null };
}

/**
 * A batch of every producible application of the kind (of one school, if given). One whose student
 * has no photo is held back, never printed with an empty photo (the card photo is an identity check):
 * it stays ready for production and goes into a later batch once the school has taken the photo.
 * The answer says how many were held; all of them held is FULFILMENT_BATCH_PHOTOS_MISSING.
 */
export async function createBatch(ctx: AppContext, caller: Caller, input: { kind: ApplicationKind; schoolId?: string | undefined }, requestId: string): Promise<CreatedBatchDto> {
  const producible = await repo.lockProducible(ctx.db, input.kind, input.schoolId);
  const apps = producible.filter((a) => a.has_photo);
  const held = producible.filter((a) => !a.has_photo).map((a) => a.id);
  if (producible.length === 0) throw fail('FULFILMENT_BATCH_EMPTY', { kind: input.kind, schoolId: input.schoolId ?? null });
  if (apps.length === 0) throw fail('FULFILMENT_BATCH_PHOTOS_MISSING', { kind: input.kind, schoolId: input.schoolId ?? null, heldWithoutPhoto: held.length });
  const now = ctx.clock.now();
  const id = newId();
  const batch: BatchRow = {
    id, batch_no: `PB${shanghaiDate(now).replaceAll('-', '')}-${id.replaceAll('-', '').slice(-6).toUpperCase()}`, kind: input.kind, status: initialBatchStatus,
    created_by: caller.subjectId, created_at: now, exported_at: null, produced_at: null, dispatched_at: null,
  };
  await repo.insertBatch(ctx.db, batch);
  for (const app of apps) {
    const status = nextApplicationStatus(app.kind, app.status, 'batch', { infoConfirmed: app.confirmation_status === 'confirmed' });
    await repo.updateApplication(ctx.db, app.id, { status, batch_id: id, ...(await reserveNumbers(ctx.db, app)), updated_at: now });
    await recordStep(ctx.db, ctx.clock, app, 'in_production', actorOf(caller), requestId, batch.batch_no, { batchId: id });
  }
  await recordAudit(ctx.db, ctx.clock, { actor: actorOf(caller), action: 'fulfilment.batch.created', entityType: 'production_batch', entityId: id, after: { batchNo: batch.batch_no, kind: input.kind, applications: apps.map((a) => a.id), heldWithoutPhoto: held }, requestId });
  return { ...batchView(batch, apps.length), heldWithoutPhoto: held.length };
}

async function lockBatch(ctx: AppContext, batchId: string): Promise<BatchRow> {
  const batch = await repo.lockBatch(ctx.db, batchId);
  if (!batch) throw fail('FULFILMENT_BATCH_NOT_FOUND', { batchId });
  return batch;
}

export async function listBatches(ctx: AppContext, filter: { status?: BatchRow['status'] | undefined; kind?: ApplicationKind | undefined }, page: PageQuery) {
  const { rows, total } = await repo.batchPage(ctx.db, filter, offsetOf(page), page.pageSize);
  const counts = await repo.countOfBatches(ctx.db, rows.map((r) => r.id));
  return { items: rows.map((r) => batchView(r, counts.get(r.id) ?? 0)), total, page: page.page, pageSize: page.pageSize };
}

export async function getBatch(ctx: AppContext, batchId: string) {
  const batch = await repo.findBatch(ctx.db, batchId);
  if (!batch) throw fail('FULFILMENT_BATCH_NOT_FOUND', { batchId });
  const apps = await repo.applicationsOfBatch(ctx.db, batchId);
  const applications = [];
  for (const app of apps) applications.push(await applicationView(ctx.db, ctx.clock, app, { showAddress: false }));
  return { ...batchView(batch, apps.length), applications };
}

/** A CSV cell: quoted when needed, and a leading = + - @ defused so a spreadsheet never runs it as a formula. */
function cell(value: string | null | undefined): string {
  let v = value ?? '';
  if (/^[=+\-@\t\r]/.test(v)) v = `'${v}`;
  return /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

/**
 * 随卡卡贴北京通号: the Beijing-tong number of the sticker made with the card (a middle or high school
 * student's first card), for the printer to write on its chip and pack it in; empty when none is made.
 */
export const exportColumns = ['批次号', '申请编号', '卡种', '北京通号', '学校名称', '姓名', '性别', '教育ID', '有效期', '类别', '年级', '班级', '照片文件', '配送方式', '补办原卡号', '随卡卡贴北京通号'] as const;

/**
 * The card printer's file (UTF-8 with BOM so Excel opens it as UTF-8): one row per card with the
 * card-face fields in full. The first export moves the batch to exported; a later one re-sends
 * the same content.
 */
export async function exportBatch(ctx: AppContext, caller: Caller, batchId: string, requestId: string): Promise<{ fileName: string; csv: string }> {
  const batch = await lockBatch(ctx, batchId);
  const apps = await repo.applicationsOfBatch(ctx.db, batchId);
  const today = shanghaiDate(batch.created_at);
  const lines = [exportColumns.join(',')];
  for (const app of apps) {
    const source = await repo.faceSource(ctx.db, app.student_id);
    const oldCard = app.old_card_id ? await cardsRepository.findCard(ctx.db, app.old_card_id) : undefined;
    if (!source) continue;
    const face = cardFaceOf(source, today);
    const product = productOfKind[app.kind];
    lines.push([
      batch.batch_no, app.id, productLabels[product].zh, app.new_card_no, face.schoolName, face.name, face.gender === 'M' ? '男' : '女', face.educationId, face.validUntil,
      categoryOf(source.stage), source.grade === null ? '' : String(source.grade), source.class_no, face.hasPhoto ? `${face.educationId}.jpg` : '', app.delivery_method === 'school' ? '配送到校' : '配送到家', oldCard?.card_no,
      app.new_sticker_no,
    ].map(cell).join(','));
  }
  const now = ctx.clock.now();
  const status = nextBatchStatus(batch.status, 'export');
  if (status !== batch.status) {
    await repo.updateBatch(ctx.db, batch.id, { status, exported_at: now });
    for (const app of apps) await recordStep(ctx.db, ctx.clock, app, 'exported', actorOf(caller), requestId, batch.batch_no);
  }
  await recordAudit(ctx.db, ctx.clock, { actor: actorOf(caller), action: 'fulfilment.batch.exported', entityType: 'production_batch', entityId: batch.id, before: { status: batch.status }, after: { rows: apps.length }, requestId });
  return { fileName: `${batch.batch_no}.csv`, csv: `\uFEFF${lines.join('\r\n')}\r\n` };
}

/** The printer reports the batch made: every card in it is produced. */
export async function markBatchProduced(ctx: AppContext, caller: Caller, batchId: string, requestId: string): Promise<BatchDto> {
  const batch = await lockBatch(ctx, batchId);
  const status = nextBatchStatus(batch.status, 'produce');
  const now = ctx.clock.now();
  await repo.updateBatch(ctx.db, batch.id, { status, produced_at: now });
  // Every application of the batch moves with it (one statement: the machine says from where to where).
  const step = applicationTransition(batch.kind, 'produce');
  const apps = await repo.updateApplicationsOfBatch(ctx.db, batch.id, step.from, { status: step.to, updated_at: now });
  for (const app of apps) await recordStep(ctx.db, ctx.clock, { id: app.id, status: step.from }, 'produced', actorOf(caller), requestId, batch.batch_no);
  await recordAudit(ctx.db, ctx.clock, { actor: actorOf(caller), action: 'fulfilment.batch.produced', entityType: 'production_batch', entityId: batch.id, before: { status: batch.status }, after: { status }, requestId });
  return batchView({ ...batch, status, produced_at: now }, apps.length);
}

export { batchView };
