import type { Role } from '../../../src/modules/identity/identity.schemas.js';

/** The console is for school card managers and operators; kiosks and terminals have no screens here. */
export const consoleRoles: readonly Role[] = ['operator', 'school_admin'];
export const canUseConsole = (role: Role) => consoleRoles.includes(role);
export const canReadAuditLog = (role: Role) => role === 'operator';
/** Staff accounts and the SMS outbox are the card centre's, not a school's. */
export const canManageStaff = (role: Role) => role === 'operator';
export const canReadSmsOutbox = (role: Role) => role === 'operator';
