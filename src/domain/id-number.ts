import { isIsoDate, shanghaiDate } from './calendar.js';
import { DomainError } from './errors.js';

/**
 * Chinese resident ID numbers (GB 11643-1999): 6-digit area code, 8-digit birth date
 * YYYYMMDD, 3-digit order code (odd = male, even = female), then an ISO 7064 MOD 11-2
 * check character (0-9 or X).
 */

export type IdNumberErrorCode = 'ID_NUMBER_FORMAT' | 'ID_NUMBER_BIRTH_DATE' | 'ID_NUMBER_CHECKSUM';

export type IdNumberCheck =
  | { ok: true; idNumber: string; birthDate: string; gender: 'M' | 'F'; areaCode: string }
  | { ok: false; code: IdNumberErrorCode };

/** Weight of position i is 2^(17-i) mod 11: the MOD 11-2 weights for an 18-character number. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

/** People born before 1900 hold no current ID; an earlier date is a typo. */
const EARLIEST_BIRTH_DATE = '1900-01-01';

/** Trims and upper-cases, so a typed lower-case x check character is accepted and stored as X. */
export function normaliseIdNumber(s: string): string {
  return s.trim().toUpperCase();
}

/** The check character for the first 17 digits: (12 - Σ digit×weight mod 11) mod 11, 10 written X. */
export function idNumberCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) {
    throw new DomainError('ID_NUMBER_FORMAT', '身份证号前 17 位必须是数字', 'The first 17 characters of an ID number must be digits');
  }
  const sum = WEIGHTS.reduce((acc, weight, i) => acc + Number(first17[i]) * weight, 0);
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

function birthDateOf(idNumber: string): string {
  return `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
}

function isPlausibleBirthDate(birthDate: string, today: string): boolean {
  return isIsoDate(birthDate) && birthDate >= EARLIEST_BIRTH_DATE && birthDate <= today;
}

/**
 * Checks format, then the birth date, then the check character, and reports the first failure.
 * `today` ('YYYY-MM-DD') bounds the birth date; pass it from the injected clock where one
 * exists, otherwise today in Beijing is used.
 */
export function validateIdNumber(s: string, today: string = shanghaiDate(new Date())): IdNumberCheck {
  const idNumber = normaliseIdNumber(s);
  if (!/^[1-8]\d{16}[\dX]$/.test(idNumber)) return { ok: false, code: 'ID_NUMBER_FORMAT' };
  const birthDate = birthDateOf(idNumber);
  if (!isPlausibleBirthDate(birthDate, today)) return { ok: false, code: 'ID_NUMBER_BIRTH_DATE' };
  if (idNumberCheckDigit(idNumber.slice(0, 17)) !== idNumber[17]) return { ok: false, code: 'ID_NUMBER_CHECKSUM' };
  const gender = Number(idNumber[16]) % 2 === 1 ? 'M' : 'F';
  return { ok: true, idNumber, birthDate, gender, areaCode: idNumber.slice(0, 6) };
}

export interface SyntheticIdNumberSpec {
  /** 6 digits, first digit 1-8 (e.g. '110105', Chaoyang, Beijing). */
  areaCode: string;
  /** 'YYYY-MM-DD', a real date from 1900 on. */
  birthDate: string;
  /** 0..499: with the gender it fixes the 3-digit order code, so every (sequence, gender) pair gives a distinct number. */
  sequence: number;
  gender: 'M' | 'F';
}

/** The highest sequence: order codes run 000..999 and the gender takes the last bit. */
export const MAX_ID_SEQUENCE = 499;

function assertSpec({ areaCode, birthDate, sequence }: SyntheticIdNumberSpec): void {
  const bad = !/^[1-8]\d{5}$/.test(areaCode)
    || !isIsoDate(birthDate) || birthDate < EARLIEST_BIRTH_DATE
    || !Number.isInteger(sequence) || sequence < 0 || sequence > MAX_ID_SEQUENCE;
  if (bad) {
    throw new DomainError('ID_NUMBER_FORMAT', '无法生成身份证号：参数无效', 'Cannot build an ID number from these parts', { areaCode, birthDate, sequence });
  }
}

/**
 * Builds a checksum-valid synthetic ID number for demo data and tests: order code =
 * sequence × 2 + (1 for male, 0 for female), so its last digit carries the gender.
 */
export function makeIdNumber(spec: SyntheticIdNumberSpec): string {
  assertSpec(spec);
  const orderCode = String(spec.sequence * 2 + (spec.gender === 'M' ? 1 : 0)).padStart(3, '0');
  const first17 = `${spec.areaCode}${spec.birthDate.replaceAll('-', '')}${orderCode}`;
  return first17 + idNumberCheckDigit(first17);
}
