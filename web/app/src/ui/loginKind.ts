import type { LoginRequest } from '../../../../src/modules/identity/identity.schemas.js';
import type { Me } from '../../../shared/session.js';

/** The app's sign-in tabs: education ID, parent's phone, or campus card (staff sign in to the console). */
export type LoginKind = Exclude<LoginRequest['as'], 'staff'>;

/**
 * A campus session (signed in by student number or ID number) changes the 6-digit query password,
 * not the account password. The server says which sign-in the session came from (GET /me
 * `loginKind`), so a reload or a second tab knows it too.
 */
export function isCampusSession(me: Pick<Me, 'loginKind'>): boolean {
  return me.loginKind === 'campus';
}
