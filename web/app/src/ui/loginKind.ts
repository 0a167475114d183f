import type { LoginRequest } from '../../../../src/modules/identity/identity.schemas.js';

/**
 * Which tab the person signed in with. GET /me does not say, but a campus session changes the
 * 6-digit query password under other rules, so the app remembers it next to the token.
 */
export type LoginKind = Exclude<LoginRequest['as'], 'staff'>;
const storageKey = 'onecard.app.loginKind';

export function rememberLoginKind(kind: LoginKind): void {
  localStorage.setItem(storageKey, kind);
}

export function loginKind(): LoginKind {
  const stored = localStorage.getItem(storageKey);
  return stored === 'parent' || stored === 'campus' ? stored : 'student';
}
