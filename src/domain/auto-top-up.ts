/**
 * 自动充值's amounts (payments/auto-top-up.ts, and the app's form): below ¥1–¥500, top up ¥10–¥500
 * (Alipay's single withholding limit for this merchant).
 */
export const autoTopUpLimits = { thresholdMinFen: 100, thresholdMaxFen: 50_000, amountMinFen: 1_000, amountMaxFen: 50_000 } as const;

/**
 * The hours of a Beijing day the job charges in: from the first buses to the last, so that the
 * money is there for the day's rides and meals, and nobody is texted at night.
 */
export const autoTopUpHours = { from: 6, to: 22 } as const;
