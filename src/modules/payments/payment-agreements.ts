import { sql, type Selectable } from 'kysely';
import { recordAudit, systemActor, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { enqueueJob } from '../../platform/jobs.js';
import type { PaymentAgreementsTable } from './auto-top-up.tables.js';
import type { AgreementNotice, AgreementState, GatewayName } from './gateways/gateway.js';
import { agreementClient, sandboxEndpoint } from './gateways/registry.js';
import './payments.errors.js';

/**
 * A parent's withholding agreement (免密代扣), with Alipay (支付宝商户代扣) or WeChat Pay (微信支付
 * 委托代扣, papay): what lets 自动充值 (auto-top-up.ts) charge the parent without a cashier page.
 * The parent signs it on the gateway's page; on coming back, Onecard asks the gateway whether it
 * is signed (alipay.user.agreement.query; WeChat's contract query by out_contract_code): the
 * return to our page proves nothing, as with payments. Ending it unsigns it at the gateway and
 * ends the parent's auto top-ups. One live agreement per parent, whichever the gateway: one
 * signed with the other gateway must be ended first (PAYMENT_AGREEMENT_OTHER_GATEWAY); one still
 * signing with the other gateway is given up for the new choice.
 */

/** How the texts name each gateway's withholding product. */
export const agreementProductNames: Record<GatewayName, string> = { alipay: '支付宝免密代扣', wechat: '微信支付委托代扣' };

export interface AgreementView {
  id: string;
  gateway: GatewayName;
  status: 'signing' | 'active';
  /** The gateway's agreement number, masked; null while signing. */
  agreementNoMasked: string | null;
  signedAt: string | null;
}

type AgreementRow = Selectable<PaymentAgreementsTable>;

const maskAgreementNo = (no: string) => `${no.slice(0, 4)}****${no.slice(-4)}`;

export function agreementView(row: AgreementRow): AgreementView {
  return {
    id: row.id,
    gateway: row.gateway,
    status: row.status === 'active' ? 'active' : 'signing',
    agreementNoMasked: row.agreement_no ? maskAgreementNo(row.agreement_no) : null,
    signedAt: row.signed_at?.toISOString() ?? null,
  };
}

/** The parent's live (signing or active) agreement, if any. */
export function liveAgreement(db: DbOrTx, parentId: string): Promise<AgreementRow | undefined> {
  return db.selectFrom('payment_agreements').selectAll().where('parent_id', '=', parentId).where('status', '<>', 'ended').executeTakeFirst();
}

/**
 * The live agreement, locked to the end of the transaction: a signing the gateway confirms at the
 * same moment (its notification, or the query) commits first, and is then seen as signed.
 */
function lockLiveAgreement(tx: DbOrTx, parentId: string): Promise<AgreementRow | undefined> {
  return tx.selectFrom('payment_agreements').selectAll().where('parent_id', '=', parentId).where('status', '<>', 'ended').forUpdate().executeTakeFirst();
}

function assertParent(caller: Caller): void {
  if (caller.role !== 'parent') throw fail('PAYMENT_AGREEMENT_PARENT_ONLY');
}

/**
 * 开通免密代扣 (two steps, below): a link to the gateway's signing page for the parent. A signing already started
 * with the same gateway is signed again with the same number (the gateway keeps its unsigned
 * draft); one started with the other gateway is given up (ended here; were the parent to agree on
 * that page after all, its signing notification has it unsigned there). A signed one is refused:
 * with the same gateway PAYMENT_AGREEMENT_EXISTS, with the other PAYMENT_AGREEMENT_OTHER_GATEWAY
 * (the parent ends it first, which also ends their auto top-ups: nothing is switched silently).
 */
export type SigningInput = { origin: string; returnPath: string; gateway: GatewayName };

/** What step one prepared: the agreement to sign (the signing under way with this gateway, or a new one) and the gateway's link for it. */
export interface PreparedSigning {
  agreementId: string;
  /** A signing already under way, signed again; else a new agreement, written in step two. */
  existing: boolean;
  externalAgreementNo: string;
  gatewayBaseUrl: string;
  notifyUrl: string;
  signUrl: string;
}

/**
 * Step one, before the request's transaction and skipped on a stored replay (it runs as the
 * idempotent operation's `checkFirst`): the gateway's link, asked for first since WeChat's pre-sign is a call to the
 * gateway and must not run inside a transaction (PGlite has one connection, and the sandbox
 * answering it is the same server). Refused with GATEWAY_NOT_CONFIGURED where there is no client,
 * and as step two would refuse when one is signed already. The agreement's number is chosen here
 * (a new one's id is made in the app), so the link names the number step two records.
 */
export async function prepareAgreementSigning(ctx: AppContext, caller: Caller, input: SigningInput): Promise<PreparedSigning> {
  assertParent(caller);
  const { gateway } = input;
  const live = await liveAgreement(ctx.db, caller.subjectId);
  if (live?.status === 'active') throw fail(live.gateway === gateway ? 'PAYMENT_AGREEMENT_EXISTS' : 'PAYMENT_AGREEMENT_OTHER_GATEWAY', { agreementId: live.id, gateway: live.gateway });
  const existing = live?.gateway === gateway ? live : undefined;
  const agreementId = existing?.id ?? newId();
  const target = {
    externalAgreementNo: existing?.external_agreement_no ?? `OC${agreementId.replaceAll('-', '').slice(0, 28)}`,
    gatewayBaseUrl: existing?.gateway_base_url ?? sandboxEndpoint(input.origin, gateway),
    notifyUrl: existing?.notify_url ?? `${input.origin}/api/v1/payments/notify/${gateway}`,
  };
  // external_logon_id: the parent's id with us, not their phone (the gateway shows its own account).
  const signUrl = await (await agreementClient(ctx, gateway, target.gatewayBaseUrl)).agreementSignUrl({
    externalAgreementNo: target.externalAgreementNo, externalLogonId: caller.subjectId, returnUrl: `${input.origin}${input.returnPath}`, notifyUrl: target.notifyUrl,
  });
  return { agreementId, existing: existing !== undefined, ...target, signUrl };
}

/**
 * Step two, in the request's transaction (idempotent by Idempotency-Key, so a replay answers the
 * stored agreement and link, even once signed): the agreement being signed, as step one prepared
 * it. Should the parent's agreements have changed in between (another request, or the gateway's
 * notice, came first), nothing is written and the request is refused PAYMENT_AGREEMENT_CHANGED, to be tried again.
 */
export async function openAgreementSigning(ctx: AppContext, caller: Caller, input: SigningInput, prepared: PreparedSigning, requestId: string): Promise<{ agreement: AgreementView; signUrl: string }> {
  assertParent(caller);
  const { gateway } = input;
  const actor = { role: caller.role, id: caller.subjectId };
  const agreement = await inTransaction(ctx.db, async (tx) => {
    // Locked: switching gateway must not end an agreement the gateway is signing right now, unsigned nowhere.
    const live = await lockLiveAgreement(tx, caller.subjectId);
    if (live?.status === 'active') throw fail(live.gateway === gateway ? 'PAYMENT_AGREEMENT_EXISTS' : 'PAYMENT_AGREEMENT_OTHER_GATEWAY', { agreementId: live.id, gateway: live.gateway });
    if (live && live.gateway !== gateway) await endAgreementRow(tx, ctx, live.id, actor, 'switched_gateway', requestId);
    else if (live || prepared.existing) {
      if (!prepared.existing || live?.id !== prepared.agreementId) throw fail('PAYMENT_AGREEMENT_CHANGED', { agreementId: live?.id ?? prepared.agreementId });
      // An ending that did not finish (the gateway could not be reached) is overtaken: the parent signs after all.
      if (live.unsign_requested_at) await tx.updateTable('payment_agreements').set({ unsign_requested_at: null }).where('id', '=', live.id).execute();
      return { ...live, unsign_requested_at: null };
    }
    if (prepared.existing) throw fail('PAYMENT_AGREEMENT_CHANGED', { agreementId: prepared.agreementId });
    const id = prepared.agreementId;
    const row = {
      id, parent_id: caller.subjectId, gateway, external_agreement_no: prepared.externalAgreementNo, agreement_no: null, status: 'signing' as const,
      gateway_base_url: prepared.gatewayBaseUrl, notify_url: prepared.notifyUrl, created_at: ctx.clock.now(), signed_at: null, ended_at: null, unsign_requested_at: null, gateway_checked_at: null, gateway_settled_at: null,
    };
    await tx.insertInto('payment_agreements').values(row).execute();
    await recordAudit(tx, ctx.clock, { actor, action: 'payments.agreement.signing', entityType: 'payment_agreement', entityId: id, after: { gateway }, requestId });
    return row;
  });
  return { agreement: agreementView(agreement), signUrl: prepared.signUrl };
}

/**
 * The parent's agreement. One still signing is checked with its gateway first, so the page the
 * parent comes back to shows it signed (or not) as the gateway says; unreachable leaves it signing.
 */
export async function myAgreement(ctx: AppContext, caller: Caller, requestId: string): Promise<AgreementView | null> {
  assertParent(caller);
  const live = await liveAgreement(ctx.db, caller.subjectId);
  if (!live) return null;
  if (live.status !== 'signing') return agreementView(live);
  const confirmed = await confirmSigning(ctx, live, { role: caller.role, id: caller.subjectId }, requestId);
  return confirmed ? agreementView(confirmed) : null;
}

/** What the gateway says of an agreement we started; null when it cannot be asked now. */
async function stateAtGateway(ctx: AppContext, agreement: AgreementRow): Promise<AgreementState | null> {
  try {
    return await (await agreementClient(ctx, agreement.gateway, agreement.gateway_base_url)).queryAgreement(agreement.external_agreement_no);
  } catch (error) {
    ctx.logger.warn({ err: error, agreementId: agreement.id }, 'agreement query failed');
    return null;
  }
}

/**
 * The signing as the gateway has it: signed, still to sign, or null when it was signed and ended
 * there since (the parent ended it in WeChat's own page and both notices were lost). Ended, it is
 * ended here too, so that the next signing starts with a new number: the gateway refuses to sign
 * again under one it has ended.
 */
async function confirmSigning(ctx: AppContext, agreement: AgreementRow, actor: AuditActor, requestId: string | null): Promise<AgreementRow | null> {
  const state = await stateAtGateway(ctx, agreement);
  if (state?.state === 'ended') {
    await inTransaction(ctx.db, (tx) => endAgreementRow(tx, ctx, agreement.id, actor, 'ended_at_gateway', requestId));
    return null;
  }
  if (state?.state !== 'active' || !state.agreementNo) return agreement;
  const signed = { agreementNo: state.agreementNo, signedAt: state.signedAt };
  return inTransaction(ctx.db, (tx) => markSigned(tx, ctx, agreement.id, signed, { actor, via: 'query', requestId }));
}

/** An agreement still signing is signed, with the gateway's number; the row as it stands afterwards (signed already by the other path, it is left). */
async function markSigned(tx: DbOrTx, ctx: AppContext, agreementId: string, signed: { agreementNo: string; signedAt: Date | null }, by: { actor: AuditActor; via: 'query' | 'notification'; requestId: string | null }): Promise<AgreementRow> {
  const updated = await tx.updateTable('payment_agreements').set({ status: 'active', agreement_no: signed.agreementNo, signed_at: signed.signedAt ?? ctx.clock.now() })
    .where('id', '=', agreementId).where('status', '=', 'signing').returningAll().executeTakeFirst();
  if (!updated) return tx.selectFrom('payment_agreements').selectAll().where('id', '=', agreementId).executeTakeFirstOrThrow();
  await recordAudit(tx, ctx.clock, {
    actor: by.actor, action: 'payments.agreement.signed', entityType: 'payment_agreement', entityId: agreementId, after: { agreementNo: maskAgreementNo(signed.agreementNo), via: by.via }, requestId: by.requestId,
  });
  return updated;
}

const gatewayActor: AuditActor = { role: 'gateway', id: null };

/**
 * The gateway's word that an agreement was signed or ended (Alipay dut_user_sign, dut_user_unsign;
 * WeChat Pay ENTRUST.SIGN, ENTRUST.TERMINATE), in the
 * notification's transaction, the agreement locked:
 * - signed, still signing here: the parent agreed on Alipay's page and did not come back; it is active now;
 * - signed, but ended here or being ended by the parent (they ended it while Alipay's page was
 *   still open, then agreed there): unsigned at Alipay by a job, since nothing here will use it;
 * - ended at Alipay: ended here with the auto top-ups. When the parent closed it in the Alipay
 *   app, they are texted that the auto top-ups stopped, which the Alipay app does not say; when
 *   it is the unsign the parent asked for here (Alipay notifies that too), it is their ending.
 * An ended notice about an earlier agreement under the same number, or about one ended here already, changes nothing.
 */
export async function applyAgreementNotice(tx: DbOrTx, ctx: AppContext, notice: AgreementNotice): Promise<void> {
  const agreement = await tx.selectFrom('payment_agreements').selectAll().where('gateway', '=', notice.gateway).where('external_agreement_no', '=', notice.externalAgreementNo)
    .forUpdate().executeTakeFirst();
  if (!agreement) throw fail('NOTIFY_AGREEMENT_UNKNOWN', { externalAgreementNo: notice.externalAgreementNo });
  const endingHere = agreement.status === 'ended' || agreement.unsign_requested_at !== null;
  if (notice.event === 'signed') {
    if (endingHere) {
      // Signed at the gateway after it was ended (or asked to end) here: unsigned there too.
      await queueLateUnsign(tx, ctx, agreement, notice.agreementNo, { actor: gatewayActor, via: 'notification' });
    } else await markSigned(tx, ctx, agreement.id, { agreementNo: notice.agreementNo, signedAt: notice.at }, { actor: gatewayActor, via: 'notification', requestId: null });
    return;
  }
  if (agreement.status === 'ended' || (agreement.agreement_no !== null && agreement.agreement_no !== notice.agreementNo)) return;
  const byParent = agreement.unsign_requested_at !== null;
  const stopped = await endAgreementRow(tx, ctx, agreement.id, gatewayActor, byParent ? 'ended_by_parent' : 'unsigned_at_gateway', null);
  if (stopped > 0 && !byParent) {
    const parent = await tx.selectFrom('parents').select('phone').where('id', '=', agreement.parent_id).executeTakeFirstOrThrow();
    await ctx.sms.send(tx, { phone: parent.phone, body: `【北京学生卡】您的${agreementProductNames[agreement.gateway]}协议已解约，孩子学生卡的自动充值已停止。如需继续使用，请在 App 中重新开通。` });
  }
}

/**
 * Signed at the gateway after it was ended (or asked to end) here: unsigned there by the retried
 * job, audited, and the gateway's side settled (the late-signing check asks no more).
 */
async function queueLateUnsign(tx: DbOrTx, ctx: AppContext, agreement: AgreementRow, agreementNo: string, by: { actor: AuditActor; via: 'notification' | 'query' }): Promise<void> {
  await enqueueUnsign(tx, ctx, { gateway: agreement.gateway, gatewayBaseUrl: agreement.gateway_base_url, externalAgreementNo: agreement.external_agreement_no, agreementNo });
  await recordAudit(tx, ctx.clock, {
    actor: by.actor, action: 'payments.agreement.unsign_queued', entityType: 'payment_agreement', entityId: agreement.id, after: by.via === 'notification' ? { agreementNo } : { agreementNo, via: by.via }, requestId: null,
  });
  await tx.updateTable('payment_agreements').set({ gateway_settled_at: ctx.clock.now() }).where('id', '=', agreement.id).where('status', '=', 'ended').where('gateway_settled_at', 'is', null).execute();
}

/** How many days after an agreement still signing was ended here the job asks the gateway whether it was signed there after all. */
export const lateSigningCheckDays = 7;
/** The first ask, this long after the ending (the gateway's signing notice usually comes first); each later one waits as long as the agreement had been ended at the last ask, at most a day. */
export const lateSigningFirstCheckMs = 10 * 60_000;
const lateSigningMaxWaitMs = 24 * 3_600_000;
/** How many one run asks about; the rest wait for the next run. */
const lateSigningChecksPerRun = 50;

export interface LateSigningCheck {
  asked: number;
  /** Found signed at the gateway: queued to be unsigned there. */
  unsigned: number;
}

/**
 * Agreements ended here while still signing (the parent switched gateway, or ended it before
 * agreeing) whose gateway side is not known: were the parent to agree on a signing page left open,
 * the gateway's signing notice has the agreement unsigned there (applyAgreementNotice); were that
 * notice never to come, the parent's standing consent would stay at the gateway with nothing here
 * to use or end it. So for `lateSigningCheckDays` after the ending, the job asks the gateway (the
 * agreement query: Alipay's alipay.user.agreement.query, WeChat's contract query), outside any
 * transaction, with a growing wait between asks. Signed: unsigned there by the retried job and
 * audited (`payments.agreement.unsign_queued`, via query), as the notice would have; ended there:
 * settled, never asked again; not there (yet), or the gateway unreachable: asked again later.
 * A bounded pass, oldest ending first, like the pending-charge queries.
 */
export async function checkEndedSignings(ctx: AppContext, limit = lateSigningChecksPerRun): Promise<LateSigningCheck> {
  const now = ctx.clock.now();
  const due = await ctx.db.selectFrom('payment_agreements').selectAll()
    .where('status', '=', 'ended').where('agreement_no', 'is', null).where('gateway_settled_at', 'is', null)
    .where('ended_at', '>=', new Date(now.getTime() - lateSigningCheckDays * 24 * 3_600_000))
    .where('ended_at', '<=', new Date(now.getTime() - lateSigningFirstCheckMs))
    .where(sql<boolean>`(gateway_checked_at is null or gateway_checked_at <= ${now}::timestamptz - least(greatest(gateway_checked_at - ended_at, ${lateSigningFirstCheckMs / 1000} * interval '1 second'), ${lateSigningMaxWaitMs / 1000} * interval '1 second'))`)
    .orderBy('ended_at').orderBy('id').limit(limit).execute();
  const run: LateSigningCheck = { asked: 0, unsigned: 0 };
  for (const agreement of due) {
    const state = await stateAtGateway(ctx, agreement);
    run.asked++;
    const signedNo = (state?.state === 'active' || state?.state === 'stopped') ? state.agreementNo : null;
    await inTransaction(ctx.db, async (tx) => {
      const locked = await tx.selectFrom('payment_agreements').selectAll().where('id', '=', agreement.id).where('gateway_settled_at', 'is', null).forUpdate().executeTakeFirst();
      if (!locked) return; // the gateway's notice came meanwhile
      if (signedNo) {
        await queueLateUnsign(tx, ctx, locked, signedNo, { actor: systemActor, via: 'query' });
        run.unsigned++;
      } else if (state?.state === 'ended') await tx.updateTable('payment_agreements').set({ gateway_checked_at: ctx.clock.now(), gateway_settled_at: ctx.clock.now() }).where('id', '=', locked.id).execute();
      else await tx.updateTable('payment_agreements').set({ gateway_checked_at: ctx.clock.now() }).where('id', '=', locked.id).execute();
    });
  }
  return run;
}

/** The job that unsigns at the gateway an agreement Onecard no longer tracks. */
export const unsignAgreementJob = 'payments.unsign-agreement';

/** Ten attempts with the jobs' doubling backoff from 10 s (about three hours): an agreement left signed at the gateway is the parent's standing consent. */
const unsignAttempts = 10;

/** What the unsign job needs: the gateway and both numbers (Alipay unsigns by agreement_no, WeChat terminates by plan_id and out_contract_code). */
export interface UnsignPayload {
  /** Absent in jobs queued before WeChat Pay's 委托代扣: Alipay's. */
  gateway?: GatewayName;
  gatewayBaseUrl: string;
  externalAgreementNo?: string;
  agreementNo: string;
}

/** In the transaction that gives the agreement up: unsigned at the gateway after the commit, retried until the gateway answers. */
export async function enqueueUnsign(tx: DbOrTx, ctx: AppContext, payload: Required<UnsignPayload>): Promise<void> {
  await enqueueJob(tx, ctx.clock, unsignAgreementJob, payload, { uniqueKey: `${unsignAgreementJob}:${payload.agreementNo}`, maxAttempts: unsignAttempts });
}

/** The job's work: one already gone at the gateway counts as done; anything else unanswered throws, and the job is retried. */
export async function unsignAgreementAtGateway(ctx: AppContext, payload: UnsignPayload): Promise<void> {
  const client = await agreementClient(ctx, payload.gateway ?? 'alipay', payload.gatewayBaseUrl);
  await client.unsignAgreement({ externalAgreementNo: payload.externalAgreementNo ?? '', agreementNo: payload.agreementNo });
}

/**
 * 关闭免密代扣, step one, outside any transaction: unsigned at the gateway (one already gone there
 * counts as done). One still signing here is asked about first: the parent may have agreed on
 * the gateway's page without coming back. Nothing is ended when the gateway cannot be reached.
 */
export async function unsignAtGateway(ctx: AppContext, caller: Caller, agreementId: string): Promise<void> {
  assertParent(caller);
  // The one named only: a replayed request for an agreement already ended leaves a newer one alone.
  const live = await liveAgreement(ctx.db, caller.subjectId);
  if (live?.id !== agreementId) return;
  // Recorded first: the gateway's notifications of this unsign, or of a signing still under way, may land before step two.
  await inTransaction(ctx.db, async (tx) => {
    await tx.updateTable('payment_agreements').set({ unsign_requested_at: ctx.clock.now() }).where('id', '=', live.id).where('status', '<>', 'ended').execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'payments.agreement.unsign_requested', entityType: 'payment_agreement', entityId: live.id, after: { gateway: live.gateway }, requestId: null });
  });
  const client = await agreementClient(ctx, live.gateway, live.gateway_base_url);
  let agreementNo = live.agreement_no;
  if (!agreementNo) {
    const state = await client.queryAgreement(live.external_agreement_no);
    agreementNo = state.state === 'active' || state.state === 'stopped' ? state.agreementNo : null;
  }
  if (agreementNo) await client.unsignAgreement({ externalAgreementNo: live.external_agreement_no, agreementNo });
}

/** Step two, in the request's transaction (idempotent by Idempotency-Key): ended here, and the parent's auto top-ups with it. */
export async function endAgreement(ctx: AppContext, caller: Caller, agreementId: string, requestId: string): Promise<null> {
  assertParent(caller);
  const live = await liveAgreement(ctx.db, caller.subjectId);
  if (live?.id !== agreementId) {
    // Ended already, by the gateway's unsign notification racing this request: done all the same.
    const ended = await ctx.db.selectFrom('payment_agreements').select('id').where('id', '=', agreementId).where('parent_id', '=', caller.subjectId).where('status', '=', 'ended').executeTakeFirst();
    if (ended) return null;
    throw fail('PAYMENT_AGREEMENT_NONE', { agreementId });
  }
  await endAgreementRow(ctx.db, ctx, live.id, { role: caller.role, id: caller.subjectId }, 'ended_by_parent', requestId);
  return null;
}

/**
 * Ends an agreement here (the parent ended it or chose the other gateway, or the gateway says it is no longer valid) and the
 * parent's auto top-ups with it; how many auto top-ups that stopped.
 */
export async function endAgreementRow(tx: DbOrTx, ctx: AppContext, agreementId: string, actor: AuditActor, reason: string, requestId: string | null): Promise<number> {
  const ended = await tx.updateTable('payment_agreements').set({ status: 'ended', ended_at: ctx.clock.now() }).where('id', '=', agreementId).where('status', '<>', 'ended')
    .returning('parent_id').executeTakeFirst();
  if (!ended) return 0;
  const removed = await tx.deleteFrom('auto_top_ups').where('parent_id', '=', ended.parent_id).returning(['student_id', 'threshold_fen', 'amount_fen']).execute();
  await recordAudit(tx, ctx.clock, { actor, action: 'payments.agreement.ended', entityType: 'payment_agreement', entityId: agreementId, after: { reason, autoTopUpsRemoved: removed.map((r) => r.student_id) }, requestId });
  return removed.length;
}
