import type { Role } from '../../../src/modules/identity/identity.schemas.js';

/** The console is for school card managers and operators; kiosks and terminals have no screens here. */
export const consoleRoles: readonly Role[] = ['operator', 'school_admin'];
export const canUseConsole = (role: Role) => consoleRoles.includes(role);
