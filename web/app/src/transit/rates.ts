import { formatYuan } from '../../../../src/domain/money.js';
import { fill } from '../ui/text.js';
import type { TransitText } from './messages.js';
import type { RailMonth } from './queries.js';

/** '原价', '恢复原价' (a tier past a discount), ' 5 折' / '50%' ({n} tenths, {p} percent). */
export function rateText(t: TransitText, percent: number, again: boolean): string {
  if (percent === 100) return again ? t.rateFullAgain : t.rateFull;
  return fill(t.rateDiscount, { n: percent / 10, p: percent });
}

/** Where the month stands: '已满 150 元，本次 5 折' / '未满 100 元，本次原价'. */
export function railMonthStatus(t: TransitText, month: RailMonth): string {
  const reached = month.tiers.filter((tier) => tier.reached).at(-1);
  if (!reached) {
    const first = month.tiers[0];
    return first ? fill(t.belowFirst, { yuan: first.fromSpentFen / 100 }) : rateText(t, month.currentRatePercent, false);
  }
  return fill(t.reachedTier, { yuan: reached.fromSpentFen / 100, rate: rateText(t, reached.ratePercent, true) });
}

/** What the next tier brings: '再消费 ¥48.00 达到 150 元，之后 5 折', or that the last tier is reached. */
export function railMonthNext(t: TransitText, month: RailMonth): string {
  if (!month.next) return t.lastTier;
  return fill(t.nextTier, { remaining: formatYuan(month.next.remainingFen), yuan: month.next.fromSpentFen / 100, rate: rateText(t, month.next.ratePercent, true) });
}
