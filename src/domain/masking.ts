/**
 * Masking for screens and logs. Each mask reveals at most a fixed number of characters and
 * reveals nothing when the value is too short for that to leave the rest hidden: a short or
 * malformed value is more likely to be fully guessable from its visible parts.
 * Characters are counted as code points, so rare CJK names outside the BMP mask correctly.
 */

type Maybe = string | null | undefined;

function stars(count: number): string {
  return '*'.repeat(Math.max(0, count));
}

/**
 * Keeps `keepStart` leading and `keepEnd` trailing characters when the value is at least
 * `fullLength` long (the shape the rule was written for); otherwise masks every character.
 */
function maskMiddle(value: Maybe, keepStart: number, keepEnd: number, fullLength: number): string {
  const chars = Array.from((value ?? '').trim());
  if (chars.length < fullLength) return stars(chars.length);
  const hidden = chars.length - keepStart - keepEnd;
  return chars.slice(0, keepStart).join('') + stars(hidden) + chars.slice(chars.length - keepEnd).join('');
}

/**
 * '张强' → '张*', '欧阳娜娜' → '欧***', 'Alice Wang' → 'A*********': the first character and one
 * star per further character (spaces too, so word boundaries are not revealed). A one-character
 * name would be fully revealed by its first character, so it becomes '*'.
 */
export function maskName(name: Maybe): string {
  const chars = Array.from((name ?? '').trim());
  if (chars.length <= 1) return stars(chars.length);
  return chars[0] + stars(chars.length - 1);
}

/** '11010520100101123X' → '110***********123X' (first 3, last 4: area prefix and order/check digits). */
export function maskIdNumber(idNumber: Maybe): string {
  return maskMiddle(idNumber, 3, 4, 18);
}

/** '13812345678' → '138****5678'. */
export function maskPhone(phone: Maybe): string {
  return maskMiddle(phone, 3, 4, 11);
}

/** '0012345669' → '00*****669', as the Yikatong app shows card numbers (first 2, last 3). */
export function maskCardNo(cardNo: Maybe): string {
  return maskMiddle(cardNo, 2, 3, 10);
}
