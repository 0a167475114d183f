import type { Selectable } from 'kysely';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import type { PaymentAgreementsTable } from './auto-top-up.tables.js';
import type { AgreementState } from './gateways/alipay-client.js';
import { agreementClient, sandboxEndpoint } from './gateways/registry.js';
import './payments.errors.js';

/**
 * A parent's withholding agreement with Alipay (支付宝商户代扣, "免密代扣"): what lets 自动充值
 * (auto-top-up.ts) charge the parent without a cashier page. The parent signs it on Alipay's
 * page; on coming back, Onecard asks Alipay whether it is signed (alipay.user.agreement.query):
 * the return to our page proves nothing, as with payments. Ending it unsigns it at Alipay and
 * ends the parent's auto top-ups. Only Alipay: WeChat Pay's 委托代扣 is not built (README).
 */

export interface AgreementView {
  id: string;
  gateway: 'alipay';
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

function assertParent(caller: Caller): void {
  if (caller.role !== 'parent') throw fail('PAYMENT_AGREEMENT_PARENT_ONLY');
}

/**
 * 开通免密代扣: a link to Alipay's signing page for the parent. A signing already started is
 * signed again with the same number (Alipay keeps its unsigned draft); a signed one is refused.
 */
export async function startAgreementSigning(ctx: AppContext, caller: Caller, input: { origin: string; returnPath: string }, requestId: string): Promise<{ agreement: AgreementView; signUrl: string }> {
  assertParent(caller);
  const endpoint = sandboxEndpoint(input.origin, 'alipay');
  // First, so that nothing is written when no gateway is configured.
  const client = await agreementClient(ctx, endpoint);
  const agreement = await inTransaction(ctx.db, async (tx) => {
    const live = await liveAgreement(tx, caller.subjectId);
    if (live?.status === 'active') throw fail('PAYMENT_AGREEMENT_EXISTS', { agreementId: live.id });
    if (live) return live;
    const id = newId();
    const row = {
      id, parent_id: caller.subjectId, gateway: 'alipay' as const, external_agreement_no: `OC${id.replaceAll('-', '').slice(0, 28)}`, agreement_no: null, status: 'signing' as const,
      gateway_base_url: endpoint, notify_url: `${input.origin}/api/v1/payments/notify/alipay`, created_at: ctx.clock.now(), signed_at: null, ended_at: null,
    };
    await tx.insertInto('payment_agreements').values(row).execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'payments.agreement.signing', entityType: 'payment_agreement', entityId: id, after: { gateway: 'alipay' }, requestId });
    return row;
  });
  // external_logon_id: the parent's id with us, not their phone (Alipay shows its own account).
  const signUrl = client.agreementSignUrl({ externalAgreementNo: agreement.external_agreement_no, externalLogonId: caller.subjectId, returnUrl: `${input.origin}${input.returnPath}` });
  return { agreement: agreementView(agreement), signUrl };
}

/**
 * The parent's agreement. One still signing is checked with Alipay first, so the page the parent
 * comes back to shows it signed (or not) as Alipay says; Alipay unreachable leaves it signing.
 */
export async function myAgreement(ctx: AppContext, caller: Caller, requestId: string): Promise<AgreementView | null> {
  assertParent(caller);
  const live = await liveAgreement(ctx.db, caller.subjectId);
  if (!live) return null;
  if (live.status === 'signing') return agreementView(await confirmSigning(ctx, live, { role: caller.role, id: caller.subjectId }, requestId));
  return agreementView(live);
}

/** What Alipay says of an agreement we started; null when it cannot be asked now. */
async function stateAtGateway(ctx: AppContext, agreement: AgreementRow): Promise<AgreementState | null> {
  try {
    return await (await agreementClient(ctx, agreement.gateway_base_url)).queryAgreement(agreement.external_agreement_no);
  } catch (error) {
    ctx.logger.warn({ err: error, agreementId: agreement.id }, 'agreement query failed');
    return null;
  }
}

async function confirmSigning(ctx: AppContext, agreement: AgreementRow, actor: AuditActor, requestId: string | null): Promise<AgreementRow> {
  const state = await stateAtGateway(ctx, agreement);
  if (state?.state !== 'active' || !state.agreementNo) return agreement;
  return inTransaction(ctx.db, async (tx) => {
    const signedAt = state.signedAt ?? ctx.clock.now();
    const updated = await tx.updateTable('payment_agreements').set({ status: 'active', agreement_no: state.agreementNo, signed_at: signedAt })
      .where('id', '=', agreement.id).where('status', '=', 'signing').returningAll().executeTakeFirst();
    if (!updated) return (await tx.selectFrom('payment_agreements').selectAll().where('id', '=', agreement.id).executeTakeFirstOrThrow());
    await recordAudit(tx, ctx.clock, { actor, action: 'payments.agreement.signed', entityType: 'payment_agreement', entityId: agreement.id, after: { agreementNo: maskAgreementNo(state.agreementNo!) }, requestId });
    return updated;
  });
}

/**
 * 关闭免密代扣, step one, outside any transaction: unsigned at Alipay (one already gone there
 * counts as done). One still signing here is asked about first: the parent may have agreed on
 * Alipay's page without coming back. Nothing is ended when Alipay cannot be reached.
 */
export async function unsignAtGateway(ctx: AppContext, caller: Caller, agreementId: string): Promise<void> {
  assertParent(caller);
  // The one named only: a replayed request for an agreement already ended leaves a newer one alone.
  const live = await liveAgreement(ctx.db, caller.subjectId);
  if (live?.id !== agreementId) return;
  let agreementNo = live.agreement_no;
  if (!agreementNo) {
    const state = await (await agreementClient(ctx, live.gateway_base_url)).queryAgreement(live.external_agreement_no);
    agreementNo = state.state === 'active' || state.state === 'stopped' ? state.agreementNo : null;
  }
  if (agreementNo) await (await agreementClient(ctx, live.gateway_base_url)).unsignAgreement(agreementNo);
}

/** Step two, in the request's transaction (idempotent by Idempotency-Key): ended here, and the parent's auto top-ups with it. */
export async function endAgreement(ctx: AppContext, caller: Caller, agreementId: string, requestId: string): Promise<null> {
  assertParent(caller);
  const live = await liveAgreement(ctx.db, caller.subjectId);
  if (live?.id !== agreementId) throw fail('PAYMENT_AGREEMENT_NONE', { agreementId });
  await endAgreementRow(ctx.db, ctx, live.id, { role: caller.role, id: caller.subjectId }, 'ended_by_parent', requestId);
  return null;
}

/** Ends an agreement here (the parent ended it, or Alipay says it is no longer valid) and the parent's auto top-ups with it. */
export async function endAgreementRow(tx: DbOrTx, ctx: AppContext, agreementId: string, actor: AuditActor, reason: string, requestId: string | null): Promise<void> {
  const ended = await tx.updateTable('payment_agreements').set({ status: 'ended', ended_at: ctx.clock.now() }).where('id', '=', agreementId).where('status', '<>', 'ended')
    .returning('parent_id').executeTakeFirst();
  if (!ended) return;
  const removed = await tx.deleteFrom('auto_top_ups').where('parent_id', '=', ended.parent_id).returning(['student_id', 'threshold_fen', 'amount_fen']).execute();
  await recordAudit(tx, ctx.clock, { actor, action: 'payments.agreement.ended', entityType: 'payment_agreement', entityId: agreementId, after: { reason, autoTopUpsRemoved: removed.map((r) => r.student_id) }, requestId });
}
