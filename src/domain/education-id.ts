import { DomainError } from './errors.js';

/**
 * A Beijing education ID (教育ID): 8 digits, the student's permanent identifier across all city
 * education systems; it never changes on promotion or transfer, so it is matched exactly
 * (no trimming or reformatting that could make two spellings of one ID).
 */
const EDUCATION_ID = /^\d{8}$/;

export function isEducationId(s: string): boolean {
  return EDUCATION_ID.test(s);
}

export function assertEducationId(s: string): void {
  if (!isEducationId(s)) {
    throw new DomainError('EDUCATION_ID_FORMAT', '教育ID应为 8 位数字', 'An education ID is 8 digits');
  }
}
