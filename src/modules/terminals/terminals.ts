import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import { createSession } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import type { TerminalKind } from '../../platform/db/schema.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import './terminals.errors.js';

/**
 * A terminal's secret is 256 random bits, so a plain SHA-256 is enough to store it (a slow hash
 * protects guessable human passwords; this is not guessable) and checking it stays cheap.
 */
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

export interface RegisterTerminalRequest {
  code: string;
  kind: TerminalKind;
  operator: string;
  location: string | null;
  /** The university a canteen POS or dorm reader serves; none for transit terminals. */
  schoolId: string | null;
}

/** Campus terminals serve one university's cards; transit terminals serve every card. */
const campusKinds: readonly TerminalKind[] = ['pos', 'reader', 'network_gateway'];

async function assertTerminalSchool(ctx: AppContext, kind: TerminalKind, schoolId: string | null): Promise<void> {
  if (!campusKinds.includes(kind)) {
    if (schoolId !== null) throw fail('TERMINAL_SCHOOL_INVALID', { kind, schoolId });
    return;
  }
  if (schoolId === null) throw fail('TERMINAL_SCHOOL_REQUIRED', { kind });
  const school = await ctx.db.selectFrom('schools').select('stage').where('id', '=', schoolId).executeTakeFirst();
  if (!school || (school.stage !== 'university' && school.stage !== 'vocational')) throw fail('TERMINAL_SCHOOL_INVALID', { kind, schoolId });
}

/** Registers a terminal; the secret is returned once and never stored in the clear. */
export async function registerTerminal(ctx: AppContext, actor: AuditActor, request: RegisterTerminalRequest, requestId: string | null) {
  await assertTerminalSchool(ctx, request.kind, request.schoolId);
  const secret = `ts_${randomBytes(32).toString('base64url')}`;
  const id = newId();
  const { schoolId, ...fields } = request;
  return inTransaction(ctx.db, async (tx) => {
    const inserted = await tx
      .insertInto('terminals')
      .values({ id, ...fields, school_id: schoolId, secret_hash: hashSecret(secret), created_at: ctx.clock.now() })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) throw fail('TERMINAL_CODE_TAKEN', { code: request.code });
    await recordAudit(tx, ctx.clock, { actor, action: 'terminal.registered', entityType: 'terminal', entityId: id, after: request, requestId });
    return { id, ...request, secret };
  });
}

/** A terminal signs in with its own code and secret and gets a session of role `terminal`. */
export async function terminalLogin(ctx: AppContext, request: { code: string; secret: string }) {
  const terminal = await ctx.db.selectFrom('terminals').select(['id', 'secret_hash', 'disabled_at']).where('code', '=', request.code).executeTakeFirst();
  const given = Buffer.from(hashSecret(request.secret));
  const matches = terminal !== undefined && timingSafeEqual(given, Buffer.from(terminal.secret_hash));
  if (!terminal || !matches || terminal.disabled_at) throw fail('AUTH_FAILED');
  await ctx.db.updateTable('terminals').set({ last_seen_at: ctx.clock.now() }).where('id', '=', terminal.id).execute();
  const session = await createSession(ctx.db, ctx.clock, { role: 'terminal', subjectId: terminal.id, loginKind: 'terminal' }, ctx.config.sessionTtlMinutes);
  return { token: session.token, expiresAt: session.expiresAt.toISOString(), terminalId: terminal.id };
}

export async function terminalById(ctx: AppContext, id: string) {
  const t = await ctx.db.selectFrom('terminals').select(['id', 'code', 'kind', 'operator', 'location', 'school_id', 'last_seen_at']).where('id', '=', id).executeTakeFirstOrThrow();
  return { id: t.id, code: t.code, kind: t.kind, operator: t.operator, location: t.location, schoolId: t.school_id, lastSeenAt: t.last_seen_at?.toISOString() ?? null };
}
