/**
 * The one error type the domain throws. Codes are stable UPPER_SNAKE strings that clients and
 * the HTTP layer key on (statuses are mapped in src/platform/errors.ts), so never rename one;
 * messages are for people and may be reworded.
 */
export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly code: string,
    readonly messageZh: string,
    readonly messageEn: string,
    readonly details?: Record<string, unknown>,
  ) {
    // The code leads the message so an uncaught error in a log is recognisable at a glance.
    super(`${code}: ${messageEn}`);
  }
}

/** True when `e` is a DomainError, optionally with the given code; handy in catch blocks. */
export function isDomainError(e: unknown, code?: string): e is DomainError {
  return e instanceof DomainError && (code === undefined || e.code === code);
}
