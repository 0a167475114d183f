/**
 * An amount in capital Chinese numerals, as invoices print 价税合计（大写）: 1500 fen →
 * 壹拾伍圆整, 10050 → 壹佰圆伍角, 100005 → 壹仟圆零伍分, 100100 → 壹仟零壹圆整.
 */

const digits = '零壹贰叁肆伍陆柒捌玖';
const placeUnits = ['', '拾', '佰', '仟'];
const groupUnits = ['', '万', '亿', '万亿'];

/** Up to 9999 in one group: zeros between digits collapse to one 零, trailing zeros vanish. */
function groupWords(n: number): string {
  let out = '';
  let zeroPending = false;
  for (let place = 3; place >= 0; place--) {
    const digit = Math.floor(n / 10 ** place) % 10;
    if (digit === 0) {
      zeroPending = out !== '';
      continue;
    }
    out += (zeroPending ? '零' : '') + digits[digit] + placeUnits[place];
    zeroPending = false;
  }
  return out;
}

function integerWords(n: number): string {
  if (n === 0) return '零';
  const groups: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 10_000)) groups.push(rest % 10_000);
  let out = '';
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i] ?? 0;
    if (group === 0) continue;
    // A group below 1000 after a higher one reads with a 零 (壹万零伍佰), as does a gap of empty groups.
    const needsZero = out !== '' && (group < 1000 || groups[i + 1] === 0);
    out += (needsZero ? '零' : '') + groupWords(group) + groupUnits[i];
  }
  return out;
}

export function amountInChineseWords(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new RangeError(`not an amount in fen: ${fen}`);
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const cents = fen % 10;
  if (jiao === 0 && cents === 0) return `${integerWords(yuan)}圆整`;
  const head = yuan > 0 ? `${integerWords(yuan)}圆` : '';
  const jiaoPart = jiao > 0 ? `${digits[jiao]}角` : yuan > 0 ? '零' : '';
  return `${head}${jiaoPart}${cents > 0 ? `${digits[cents]}分` : ''}`;
}
