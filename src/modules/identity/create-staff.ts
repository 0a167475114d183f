import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { hashPassword } from '../../platform/passwords.js';
import type { CreateStaffRequest } from './identity.schemas.js';
import { identityRepository as repo } from './identity.repository.js';

/** Creates an operator, a school card manager (bound to one school) or a kiosk account. */
export async function createStaff(
  db: DbOrTx,
  clock: Clock,
  actor: AuditActor,
  request: CreateStaffRequest,
  requestId: string | null = null,
) {
  if (request.role === 'school_admin' && !request.schoolId) throw fail('STAFF_SCHOOL_REQUIRED');
  if (request.schoolId && !(await repo.schoolExists(db, request.schoolId))) throw fail('NOT_FOUND', { entity: 'school' });
  const staff = {
    id: newId(),
    username: request.username,
    displayName: request.displayName,
    role: request.role,
    schoolId: request.schoolId,
    passwordHash: await hashPassword(request.password),
  };
  if (!(await repo.insertStaff(db, staff))) throw fail('STAFF_USERNAME_TAKEN', { username: request.username });
  const created = { id: staff.id, username: staff.username, displayName: staff.displayName, role: staff.role, schoolId: staff.schoolId };
  await recordAudit(db, clock, { actor, action: 'staff.created', entityType: 'staff_user', entityId: staff.id, after: created, requestId });
  return created;
}
