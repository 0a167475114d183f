import { DomainError } from './errors.js';

/**
 * Money is integer fen (1 yuan = 100 fen) everywhere; yuan strings exist only at the edges
 * (screens, user input), so conversions are exact string work, never floating-point maths.
 */

/** Throws unless `n` is a safe, non-negative integer number of fen. */
export function assertFen(n: unknown): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw new DomainError('AMOUNT_INVALID', '金额必须是非负整数（分）', 'An amount must be a non-negative whole number of fen', { amount: n });
  }
}

/** 1500 → '¥15.00', -150 → '-¥1.50'. Negative amounts appear in ledgers (refunds, reversals). */
export function formatYuan(fen: number): string {
  if (!Number.isSafeInteger(fen)) {
    throw new DomainError('AMOUNT_INVALID', '金额必须是整数（分）', 'An amount must be a whole number of fen', { amount: fen });
  }
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100);
  const cents = String(abs % 100).padStart(2, '0');
  return `${fen < 0 ? '-' : ''}¥${yuan}.${cents}`;
}

/**
 * No leading zeros, at most 2 decimals, an optional ¥ or full-width ￥ in front (Chinese
 * keyboards type the latter). 14 integer digits reach Number.MAX_SAFE_INTEGER fen; the result
 * is checked against it, so every amount formatYuan prints for a safe fen value parses back.
 */
const YUAN = /^[¥￥]?(0|[1-9]\d{0,13})(?:\.(\d{1,2}))?$/;

/**
 * Strict yuan → fen: '15' → 1500, '15.5' → 1550, '¥15.50' → 1550. Rejects (AMOUNT_FORMAT)
 * negatives, a third decimal, '.5', '15.', thousands separators and anything else, rather
 * than guess what a user meant to pay. Accepts what formatYuan prints for amounts ≥ 0.
 */
export function parseYuanToFen(s: string): number {
  const m = YUAN.exec(s.trim());
  // Above 2^53 the sum is inexact, but it cannot round back below 2^53, so the check is sound.
  const fen = m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : Number.NaN;
  if (!Number.isSafeInteger(fen)) {
    throw new DomainError('AMOUNT_FORMAT', '金额格式不正确，最多两位小数', 'The amount is malformed; use at most two decimals', { input: s });
  }
  return fen;
}
