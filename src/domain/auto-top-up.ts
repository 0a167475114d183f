/**
 * 自动充值's amounts (payments/auto-top-up.ts, and the app's form): below ¥1–¥500, top up ¥10–¥500
 * (Alipay's single withholding limit for this merchant); optionally at most ¥10–¥5,000 a month,
 * and never less than one top-up.
 */
export const autoTopUpLimits = { thresholdMinFen: 100, thresholdMaxFen: 50_000, amountMinFen: 1_000, amountMaxFen: 50_000, monthlyCapMinFen: 1_000, monthlyCapMaxFen: 500_000 } as const;

export interface AutoTopUpAmounts {
  thresholdFen: number;
  amountFen: number;
  /** Null: no monthly cap. */
  monthlyCapFen: number | null;
}

/** Whether the amounts are whole fen within the limits, the cap (if any) at least one top-up. */
export function autoTopUpAmountsValid(a: AutoTopUpAmounts): boolean {
  const l = autoTopUpLimits;
  const inRange = (n: number, min: number, max: number) => Number.isSafeInteger(n) && n >= min && n <= max;
  return inRange(a.thresholdFen, l.thresholdMinFen, l.thresholdMaxFen) && inRange(a.amountFen, l.amountMinFen, l.amountMaxFen)
    && (a.monthlyCapFen === null || (inRange(a.monthlyCapFen, l.monthlyCapMinFen, l.monthlyCapMaxFen) && a.monthlyCapFen >= a.amountFen));
}

/** Whether one more top-up of `amountFen` fits the month, with `chargedFen` charged (or being charged) already. */
export function fitsMonthlyCap(monthlyCapFen: number | null, chargedFen: number, amountFen: number): boolean {
  return monthlyCapFen === null || chargedFen + amountFen <= monthlyCapFen;
}

/**
 * The hours of a Beijing day the job charges in: from the first buses to the last, so that the
 * money is there for the day's rides and meals, and nobody is texted at night.
 */
export const autoTopUpHours = { from: 6, to: 22 } as const;

/**
 * Why a charge failed, as a run records it (auto_top_up_runs.failure), the parent's text and the
 * app name it: the gateway refused (no balance, the agreement gone, another refusal), or could not
 * make it (payment_failed); or its order closed before the gateway reported it: unconfirmed, then,
 * should the gateway report the payment late, refunding and refunded (refund_failed while a refund
 * the gateway gave up on waits for an operator).
 */
export const autoTopUpFailures = ['balance_not_enough', 'agreement_invalid', 'refused', 'payment_failed', 'unconfirmed', 'refunding', 'refund_failed', 'refunded'] as const;
export type AutoTopUpFailure = (typeof autoTopUpFailures)[number];
