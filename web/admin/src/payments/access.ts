import type { Role } from '../../../../src/modules/identity/identity.schemas.js';

/** Operators handle the money; a school's card manager reads their own school's orders and refunds. */
export const canReadPayments = (role: Role) => role === 'operator' || role === 'school_admin';
export const canRefund = (role: Role) => role === 'operator';
export const canEditCalendar = (role: Role) => role === 'operator';
export const canEditPaymentWindow = (role: Role) => role === 'operator';
