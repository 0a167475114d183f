import { randomInt } from 'node:crypto';
import { DomainError } from './errors.js';

/**
 * Card numbers carry a Luhn check digit so a mistyped number is caught before it reaches the
 * database (one wrong digit or two swapped neighbours always fail the check).
 *
 * - Beijing-tong number (北京通号, printed on K-12 cards and their stickers): 11 digits, e.g. 32000000217.
 * - Yikatong card number (一卡通卡号: e-cards, campus and temporary cards): 16 digits.
 * - Interoperable transit card number (交通联合, linked to a university e-card): 19 digits, starts 31.
 */
export type CardNumberKind = 'beijing_tong' | 'yikatong' | 'interoperable';

const formats: Record<CardNumberKind, { length: number; prefix: string }> = {
  beijing_tong: { length: 11, prefix: '32' },
  yikatong: { length: 16, prefix: '1000' },
  interoperable: { length: 19, prefix: '31' },
};

/** The Luhn check digit of a digit string. */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Double every second digit counting from the right end of the body.
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export function hasValidCheckDigit(cardNo: string): boolean {
  if (!/^\d{2,}$/.test(cardNo)) return false;
  return luhnCheckDigit(cardNo.slice(0, -1)) === Number(cardNo.at(-1));
}

/** Which kind a well-formed number is, or null. */
export function cardNumberKind(cardNo: string): CardNumberKind | null {
  for (const [kind, f] of Object.entries(formats) as [CardNumberKind, (typeof formats)[CardNumberKind]][]) {
    if (cardNo.length === f.length && cardNo.startsWith(f.prefix) && /^\d+$/.test(cardNo)) return kind;
  }
  return null;
}

/** Throws CARD_NO_FORMAT (not one of our formats) or CARD_NO_CHECK_DIGIT (a typo). */
export function assertCardNo(cardNo: string, expected?: CardNumberKind): CardNumberKind {
  const kind = cardNumberKind(cardNo);
  if (!kind || (expected && kind !== expected)) {
    throw new DomainError('CARD_NO_FORMAT', '卡号格式不正确', 'The card number is not in a recognised format', { expected: expected ?? null });
  }
  if (!hasValidCheckDigit(cardNo)) throw new DomainError('CARD_NO_CHECK_DIGIT', '卡号校验位不正确，请核对卡号', 'The card number’s check digit is wrong; please check the number');
  return kind;
}

/** A random number of the kind, check digit included; uniqueness is the database's to enforce. */
export function generateCardNo(kind: CardNumberKind, random: (max: number) => number = randomInt): string {
  const f = formats[kind];
  let body = f.prefix;
  while (body.length < f.length - 1) body += String(random(10));
  return body + String(luhnCheckDigit(body));
}
