import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { newId } from '../../platform/ids.js';
import { enqueueJob } from '../../platform/jobs.js';
import { weekdaysZh } from '../../domain/calendar.js';
import { paymentWeekdays } from '../calendar/calendar.js';
import { productLabels, productOfKind } from './card-face.js';
import { enrolledAtSchool } from './first-card.js';
import type { ApplicationStep } from './fulfilment.schemas.js';
import { identityRepository } from '../identity/identity.repository.js';
import { fulfilmentRepository as repo, type ApplicationRow } from './fulfilment.repository.js';

export const notifyJobKind = 'fulfilment.notify';

/** Steps one application may go through more than once (a re-delivery can fail again): each time is told. */
const repeatableSteps: readonly ApplicationStep[] = ['delivery_failed', 'returned_to_centre', 'redispatched'];

/**
 * A step's note: the server's own words come in both languages; a batch number or staff's own
 * words (a void reason) are one text that reads the same to everyone.
 */
export type StepNote = string | { zh: string; en: string } | null;

/**
 * Records a step of an application (the progress timeline), its audit row, and queues the SMS to
 * the student's parents (and the home-delivery phone) in the same transaction: the message goes
 * out only if the step commits, once per application and step (per occurrence for a repeatable step).
 */
export async function recordStep(tx: DbOrTx, clock: Clock, app: Pick<ApplicationRow, 'id' | 'status'>, step: ApplicationStep, actor: AuditActor, requestId: string | null, note: StepNote = null, after: Record<string, unknown> = {}): Promise<void> {
  const stepId = newId();
  const [zh, en] = typeof note === 'string' || note === null ? [note, null] : [note.zh, note.en];
  await repo.insertStep(tx, { id: stepId, application_id: app.id, step, note: zh, note_en: en, actor_role: actor.role, actor_id: actor.id, at: clock.now() });
  await recordAudit(tx, clock, { actor, action: `fulfilment.application.${step}`, entityType: 'card_application', entityId: app.id, before: { status: app.status }, after: { step, note: zh, ...after }, requestId });
  const occurrence = repeatableSteps.includes(step) ? `:${stepId}` : '';
  await enqueueJob(tx, clock, notifyJobKind, { applicationId: app.id, step }, { uniqueKey: `${notifyJobKind}:${app.id}:${step}${occurrence}` });
}

/**
 * What a step's text needs to know beyond the application: the school, the weekdays fees are paid
 * on (operators set them), and whether the student is no longer enrolled at the school a card was
 * delivered to (a replacement or sticker is then sent home, not picked up: docs/cards.md).
 */
interface MessageContext {
  schoolName: string;
  paymentWeekdays: readonly number[];
  holderLeftSchool?: boolean;
}

function messageOf(app: ApplicationRow, step: ApplicationStep, { schoolName, paymentWeekdays, holderLeftSchool = false }: MessageContext): string | null {
  const product = productLabels[productOfKind[app.kind]].zh;
  switch (step) {
    case 'applied':
      // A first card is opened with its confirmation, whose own text asks the family to check it.
      if (app.kind === 'new_card') return null;
      return app.kind === 'replacement' ? `【北京通学生卡】${product}补办申请已提交，请在缴费时间（每${weekdaysZh(paymentWeekdays)}，节假日除外）内缴纳补卡工本费15元。` : `【北京通学生卡】${product}补换申请已提交，将进入制卡。`;
    case 'paid':
      return `【北京通学生卡】补卡工本费已缴纳，制卡周期约20个工作日。`;
    case 'in_production':
      return `【北京通学生卡】您的${product}已进入制卡批次。`;
    case 'produced':
      return `【北京通学生卡】您的${product}已制作完成，即将配送。`;
    case 'dispatched':
      return app.delivery_method === 'school' ? `【北京通学生卡】您的${product}已配送至${schoolName}。` : `【北京通学生卡】您的${product}已交快递配送到家，快递费到付（不超过15元）。`;
    case 'delivery_failed':
      return `【北京通学生卡】您的${product}快递派送未成功（拒收或联系不上收件人），将退回制卡中心。退回后请在北京一卡通App“办理进度”中选择重新配送到家或配送到校领取。`;
    case 'returned_to_centre':
      return `【北京通学生卡】您的${product}已退回制卡中心，请在北京一卡通App“办理进度”中选择重新配送到家（快递费到付，不超过15元）或配送到校领取（免快递费）。`;
    case 'redispatched':
      return app.delivery_method === 'school' ? `【北京通学生卡】您的${product}已改为配送至${schoolName}，送达后请联系学校卡管员领取。` : `【北京通学生卡】您的${product}已重新交快递配送到家，快递费到付（不超过15元），请注意查收。`;
    case 'delivered':
      if (app.delivery_method === 'school' && holderLeftSchool && app.kind !== 'new_card') {
        return `【北京通学生卡】您的${product}已送达${schoolName}。学生已不在该校就读，卡片不能在该校领取，请在北京一卡通App“办理进度”中改为快递配送到家（快递费到付，不超过15元）。`;
      }
      return app.delivery_method === 'school' ? `【北京通学生卡】您的${product}已送达学校，请联系学校卡管员领取。` : `【北京通学生卡】您的${product}已签收。`;
    case 'picked_up':
      if (app.kind === 'new_card') return `【北京通学生卡】${product}已领取，请在 App「卡片激活」中激活后使用。`;
      return `【北京通学生卡】新${product}已领取并启用，原卡已作废；原卡余额将在结算期后转入新卡。`;
    case 'balance_moved':
      return `【北京通学生卡】原卡余额已转入新${product}。`;
    case 'cancelled':
      // A first card is given up when its student leaves or changes school before it is printed.
      if (app.kind === 'new_card') return `【北京通学生卡】在${schoolName}的新生制卡（${product}）已取消：学生已不在该校就读。已转入其他学校的，由现在的学校办理新生制卡。`;
      return `【北京通学生卡】${product}${app.kind === 'sticker' ? '补换' : '补办'}申请已取消。`;
    case 'voided':
      return `【北京通学生卡】在${schoolName}办理的新生制卡（${product}）已作废：学生已不在该校就读，该卡不会发放。已转入其他学校的，请由现在的学校办理新生制卡。`;
    default:
      return null;
  }
}

/** The job: sends the step's SMS through the platform's sender (the outbox in development). */
export async function sendStepNotification(ctx: AppContext, payload: { applicationId: string; step: ApplicationStep }): Promise<void> {
  const app = await repo.findApplication(ctx.db, payload.applicationId);
  if (!app) return;
  const holderLeftSchool = payload.step === 'delivered' && app.delivery_method === 'school' && !(await enrolledAtSchool(ctx.db, app));
  const body = messageOf(app, payload.step, { schoolName: (await repo.schoolName(ctx.db, app.school_id)) ?? '', paymentWeekdays: await paymentWeekdays(ctx.db), holderLeftSchool });
  if (!body) return;
  const phones = new Set(await identityRepository.parentPhones(ctx.db, app.student_id));
  if (app.delivery_method === 'home' && app.phone) phones.add(app.phone);
  for (const phone of phones) await ctx.sms.send(ctx.db, { phone, body });
}
