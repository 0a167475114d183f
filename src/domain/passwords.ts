import { isIsoDate } from './calendar.js';
import { DomainError } from './errors.js';
import { normaliseIdNumber } from './id-number.js';

/** Password rules only; hashing and attempt limits live in the platform layer. */

export type PasswordCheck<Code extends string> = { ok: true } | { ok: false; code: Code };

export type QueryPasswordCode = 'PASSWORD_FORMAT' | 'PASSWORD_RUN' | 'PASSWORD_REPEAT' | 'PASSWORD_SAME_AS_INITIAL';
export type AccountPasswordCode = 'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_LONG' | 'PASSWORD_TOO_WEAK';

/** Parents start with this and must change it at first login. */
export const INITIAL_PARENT_PASSWORD = '123456';

export const ACCOUNT_PASSWORD_MIN_CHARS = 8;
export const ACCOUNT_PASSWORD_MAX_CHARS = 64;

/** A student's initial password is the birth date: '2010-01-01' → '20100101'. */
export function initialStudentPassword(birthDate: string): string {
  if (!isIsoDate(birthDate)) {
    throw new DomainError('BIRTH_DATE_FORMAT', '出生日期格式应为 YYYY-MM-DD', 'A birth date must be written YYYY-MM-DD', { birthDate });
  }
  return birthDate.replaceAll('-', '');
}

/**
 * Initial campus query and consumption password: the last 6 digits of the ID number; when it
 * ends in X, the X is dropped and the 6 digits before it are taken ('…123X' → '…123' tail).
 */
export function initialCampusPassword(idNumber: string): string {
  const digits = normaliseIdNumber(idNumber).replace(/X$/, '');
  const tail = digits.slice(-6);
  if (!/^\d{6}$/.test(tail)) {
    throw new DomainError('ID_NUMBER_FORMAT', '身份证号格式不正确', 'The ID number is malformed');
  }
  return tail;
}

type WindowFault = 'PASSWORD_RUN' | 'PASSWORD_REPEAT';

/** What is wrong with three consecutive digits, if anything. */
function windowFault(a: number, b: number, c: number): WindowFault | undefined {
  if (a === b && b === c) return 'PASSWORD_REPEAT';
  const step = b - a;
  if ((step === 1 || step === -1) && c - b === step) return 'PASSWORD_RUN';
  return undefined;
}

/**
 * Campus query password (a 6-digit PIN). The rule, precisely:
 * - it is exactly 6 ASCII digits, else PASSWORD_FORMAT;
 * - scanning the 4 windows of three consecutive digits from the left, the first window that is
 *   a repeat (d d d, e.g. 111) gives PASSWORD_REPEAT and the first that is a run ascending or
 *   descending by one (d, d+1, d+2 or d, d-1, d-2, e.g. 123, 987) gives PASSWORD_RUN;
 * - digits do not wrap around: 890, 901 and 098 are not runs;
 * - two equal digits (112) or a run of two (12) are allowed;
 * - when `initialPassword` is given (the last 6 of the ID number), choosing it again gives
 *   PASSWORD_SAME_AS_INITIAL, because the initial one must be changed after first login.
 * So 123456, 654321 and 111111 are rejected; 135790 and 112233 are accepted.
 */
export function checkQueryPassword(p: string, initialPassword?: string): PasswordCheck<QueryPasswordCode> {
  if (!/^\d{6}$/.test(p)) return { ok: false, code: 'PASSWORD_FORMAT' };
  const digits = Array.from(p, Number) as number[];
  for (let i = 0; i + 2 < digits.length; i++) {
    const fault = windowFault(digits[i]!, digits[i + 1]!, digits[i + 2]!);
    if (fault) return { ok: false, code: fault };
  }
  if (initialPassword !== undefined && p === initialPassword) return { ok: false, code: 'PASSWORD_SAME_AS_INITIAL' };
  return { ok: true };
}

/**
 * Student, parent and staff account passwords: 8 to 64 characters (code points), with at least
 * one letter (any script) and one digit 0-9. The initial passwords can never pass this check —
 * a birth date YYYYMMDD has no letter and the parent's '123456' is too short — which is what
 * makes "change it at first login" stick; no separate comparison is needed.
 */
export function checkAccountPassword(p: string): PasswordCheck<AccountPasswordCode> {
  const length = Array.from(p).length;
  if (length < ACCOUNT_PASSWORD_MIN_CHARS) return { ok: false, code: 'PASSWORD_TOO_SHORT' };
  if (length > ACCOUNT_PASSWORD_MAX_CHARS) return { ok: false, code: 'PASSWORD_TOO_LONG' };
  if (!/\p{L}/u.test(p) || !/[0-9]/.test(p)) return { ok: false, code: 'PASSWORD_TOO_WEAK' };
  return { ok: true };
}
