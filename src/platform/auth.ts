import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Clock } from './clock.js';
import type { DbOrTx } from './db/database.js';
import type { LoginKind, Role } from './db/schema.js';
import type { DomainError} from './errors.js';
import { fail } from './errors.js';
import { newId } from './ids.js';

/** Who is calling: resolved from the bearer token on every request. */
export interface Caller {
  sessionId: string;
  role: Role;
  /** How the session signed in: decides which password "change my password" changes. */
  loginKind: LoginKind;
  subjectId: string;
  /** Set for school card managers and kiosks: the one school they serve. */
  schoolId: string | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
    /** Why the bearer token was refused; public routes ignore it, requireCaller throws it. */
    authError: DomainError | null;
  }
}

/** Tokens are random and opaque; only their SHA-256 is stored, so a database leak yields no usable token. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(
  db: DbOrTx,
  clock: Clock,
  subject: { role: Role; subjectId: string; loginKind: LoginKind },
  ttlMinutes: number,
): Promise<{ token: string; expiresAt: Date }> {
  const token = `oc_${randomBytes(32).toString('base64url')}`;
  const expiresAt = new Date(clock.now().getTime() + ttlMinutes * 60_000);
  await db
    .insertInto('sessions')
    .values({ id: newId(), token_hash: hashToken(token), role: subject.role, subject_id: subject.subjectId, login_kind: subject.loginKind, expires_at: expiresAt })
    .execute();
  return { token, expiresAt };
}

export async function revokeSession(db: DbOrTx, clock: Clock, sessionId: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: clock.now() }).where('id', '=', sessionId).execute();
}

/** Resolves the Authorization header to a caller; no header means an anonymous caller (null). */
export async function resolveCaller(db: DbOrTx, clock: Clock, authorization: string | undefined): Promise<Caller | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) throw fail('AUTH_TOKEN_INVALID');
  const session = await db
    .selectFrom('sessions')
    .selectAll()
    .where('token_hash', '=', hashToken(match[1]))
    .executeTakeFirst();
  if (!session || session.revoked_at) throw fail('AUTH_TOKEN_INVALID');
  if (session.expires_at.getTime() <= clock.now().getTime()) throw fail('AUTH_TOKEN_EXPIRED');
  let schoolId: string | null = null;
  if (session.role === 'school_admin' || session.role === 'kiosk') {
    const staff = await db.selectFrom('staff_users').select(['school_id', 'disabled_at']).where('id', '=', session.subject_id).executeTakeFirst();
    if (!staff || staff.disabled_at) throw fail('AUTH_TOKEN_INVALID');
    schoolId = staff.school_id;
  }
  return { sessionId: session.id, role: session.role, subjectId: session.subject_id, loginKind: session.login_kind, schoolId };
}

/** The caller of a route that needs a login, optionally limited to some roles. */
export function requireCaller(request: FastifyRequest, ...roles: Role[]): Caller {
  const caller = request.caller;
  if (request.authError) throw request.authError;
  if (!caller) throw fail('AUTH_REQUIRED');
  if (roles.length > 0 && !roles.includes(caller.role)) throw fail('FORBIDDEN', { requiredRoles: roles });
  return caller;
}
