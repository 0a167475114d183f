import { timingSafeEqual } from 'node:crypto';
import { initialCampusPassword, initialStudentPassword } from '../../domain/passwords.js';
import { recordAudit } from '../../platform/audit.js';
import { createSession } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { LoginKind, Role } from '../../platform/db/schema.js';
import { fail } from '../../platform/errors.js';
import { dummyPasswordHash, verifyPassword } from '../../platform/passwords.js';
import { loadUser } from './current-user.js';
import type { LoginRequest, LoginResponse } from './identity.schemas.js';
import { identityRepository as repo } from './identity.repository.js';
import { assertNotThrottled, recordAttempt } from './throttle.js';

/** What a sign-in checks against: a stored hash, or the initial password that is still in force. */
interface Account {
  id: string;
  role: Role;
  passwordHash: string | null;
  initialPassword: string | null;
  disabled: boolean;
}

async function findAccount(ctx: AppContext, request: LoginRequest): Promise<Account | undefined> {
  switch (request.as) {
    case 'staff': {
      const staff = await repo.findStaffByUsername(ctx.db, request.login);
      return staff && { id: staff.id, role: staff.role, passwordHash: staff.password_hash, initialPassword: null, disabled: staff.disabled_at !== null };
    }
    case 'student': {
      const s = await repo.findStudentByEducationId(ctx.db, request.login);
      return s && { id: s.id, role: 'student', passwordHash: s.password_hash, initialPassword: initialStudentPassword(s.birth_date), disabled: false };
    }
    case 'campus': {
      const candidates = (await repo.findCampusAccounts(ctx.db, request.login)).map(
        (s): Account => ({ id: s.id, role: 'student', passwordHash: s.campus_password_hash, initialPassword: initialCampusPassword(s.id_number), disabled: s.status !== 'enrolled' }),
      );
      if (candidates.length <= 1) return candidates[0];
      // Two universities may give the same student number: the password says whose it is.
      for (const candidate of candidates) if (await passwordMatches(candidate, request.password)) return candidate;
      return candidates[0];
    }
    case 'parent': {
      const p = await repo.findParentByPhone(ctx.db, request.login);
      return p && { id: p.id, role: 'parent', passwordHash: p.password_hash, initialPassword: null, disabled: false };
    }
  }
}

async function passwordMatches(account: Account | undefined, password: string): Promise<boolean> {
  // The same argon2 work on every path, so response time does not tell which accounts exist.
  const hashOk = await verifyPassword(account?.passwordHash ?? (await dummyPasswordHash()), password);
  if (account?.passwordHash) return hashOk;
  if (!account?.initialPassword) return false;
  const given = Buffer.from(password);
  const initial = Buffer.from(account.initialPassword);
  return given.length === initial.length && timingSafeEqual(given, initial);
}

/** What sign-in attempts are counted under: the kind of login and what was typed, case folded. */
export function attemptAccountKey(as: LoginKind, login: string): string {
  return `${as}:${login.toUpperCase()}`;
}

/**
 * Signs a person in. Unknown accounts, wrong passwords and disabled accounts all answer the same
 * AUTH_FAILED; attempts are throttled per account and source and every one is audited.
 */
export async function login(ctx: AppContext, request: LoginRequest, meta: { requestId: string; source: string }): Promise<LoginResponse> {
  const accountKey = attemptAccountKey(request.as, request.login);
  await assertNotThrottled(ctx.db, ctx.clock, accountKey, meta.source);
  const account = await findAccount(ctx, request);
  const succeeded = (await passwordMatches(account, request.password)) && account !== undefined && !account.disabled;
  await recordAttempt(ctx.db, ctx.clock, accountKey, meta.source, succeeded);
  await recordAudit(ctx.db, ctx.clock, {
    // A failed attempt is nobody's act until it succeeds: the account is the entity, not the actor.
    actor: succeeded ? { role: account.role, id: account.id } : { role: 'anonymous', id: null },
    action: succeeded ? 'login.succeeded' : 'login.failed',
    entityType: 'account',
    entityId: account?.id ?? null,
    after: { as: request.as, source: meta.source },
    requestId: meta.requestId,
  });
  if (!succeeded || !account) throw fail('AUTH_FAILED');
  const loginKind: LoginKind = request.as;
  const session = await createSession(ctx.db, ctx.clock, { role: account.role, subjectId: account.id, loginKind }, ctx.config.sessionTtlMinutes);
  const { user, mustChangePassword } = await loadUser(ctx.db, account.role, account.id, loginKind);
  return { token: session.token, expiresAt: session.expiresAt.toISOString(), mustChangePassword, user };
}
