import { recordAudit } from '../../platform/audit.js';
import { createSession } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { Role } from '../../platform/db/schema.js';
import { fail } from '../../platform/errors.js';
import { dummyPasswordHash, verifyPassword } from '../../platform/passwords.js';
import { loadUser } from './current-user.js';
import type { LoginRequest, LoginResponse } from './identity.schemas.js';
import { identityRepository as repo } from './identity.repository.js';

interface Account {
  id: string;
  role: Role;
  passwordHash: string;
  disabled: boolean;
}

async function findAccount(ctx: AppContext, request: LoginRequest): Promise<Account | undefined> {
  switch (request.as) {
    case 'staff': {
      const staff = await repo.findStaffByUsername(ctx.db, request.login);
      return staff && { id: staff.id, role: staff.role, passwordHash: staff.password_hash, disabled: staff.disabled_at !== null };
    }
    case 'student': {
      const student = await repo.findStudentByEducationId(ctx.db, request.login);
      return student && { id: student.id, role: 'student', passwordHash: student.password_hash, disabled: false };
    }
    case 'parent': {
      const parent = await repo.findParentByPhone(ctx.db, request.login);
      return parent && { id: parent.id, role: 'parent', passwordHash: parent.password_hash, disabled: false };
    }
  }
}

/**
 * Signs a person in. Unknown accounts, wrong passwords and disabled accounts all answer the
 * same AUTH_FAILED after the same argon2 work, so the answer does not reveal who has an account.
 */
export async function login(ctx: AppContext, request: LoginRequest, requestId: string): Promise<LoginResponse> {
  const account = await findAccount(ctx, request);
  const passwordOk = await verifyPassword(account?.passwordHash ?? (await dummyPasswordHash()), request.password);
  const succeeded = account !== undefined && passwordOk && !account.disabled;
  await recordAudit(ctx.db, ctx.clock, {
    actor: { role: account?.role ?? 'anonymous', id: account?.id ?? null },
    action: succeeded ? 'login.succeeded' : 'login.failed',
    entityType: 'account',
    entityId: account?.id ?? null,
    after: { as: request.as },
    requestId,
  });
  if (!succeeded) throw fail('AUTH_FAILED');
  const session = await createSession(ctx.db, ctx.clock, { role: account.role, subjectId: account.id }, ctx.config.sessionTtlMinutes);
  const { user, mustChangePassword } = await loadUser(ctx.db, account.role, account.id);
  return { token: session.token, expiresAt: session.expiresAt.toISOString(), mustChangePassword, user };
}
