import { z } from 'zod';

/**
 * Campus payments (seed 004):
 *   POST /campus/payment-codes            { queryPassword }             → 201 paymentCodeSchema (the student's 消费认证码, a minute, single use)
 *   PUT  /campus/purchase-limit           { limitFen, queryPassword }   → purchaseLimitSchema (单笔限额)
 *   GET  /campus/purchase-limit                                         → purchaseLimitSchema
 *   POST /terminals/:terminalId/purchases posPurchaseSchema             → 201 posPurchaseResultSchema (canteen POS)
 *   POST /terminals/:terminalId/hot-water { cardNo }                    → hotWaterSchema (dorm reader: may water run?)
 */

const sixDigits = z.string().regex(/^\d{6}$/, '6 digits');

export const issuePaymentCodeSchema = z.object({ queryPassword: sixDigits });

export const paymentCodeSchema = z.object({
  code: z.string(),
  expiresAt: z.string(),
  /** How long it lives from now: a phone counts down from this, whatever its own clock says. */
  validForSeconds: z.number().int(),
  cardId: z.string(),
  cardNoMasked: z.string(),
  balanceFen: z.number().int(),
  purchaseLimitFen: z.number().int(),
});

export const purchaseLimitSchema = z.object({ limitFen: z.number().int(), maxFen: z.number().int() });
export const setPurchaseLimitSchema = z.object({ limitFen: z.number().int(), queryPassword: sixDigits });

export const terminalParams = z.object({ terminalId: z.uuid() });

export const posPurchaseSchema = z.object({
  /** Chosen by the POS before it asks, so that a retry after a lost answer charges nothing more. */
  purchaseId: z.string().trim().regex(/^[A-Za-z0-9_-]{8,64}$/),
  amountFen: z.number().int().positive().max(100_000),
  /** The card read at the POS, or the payment code scanned from the app: exactly one. */
  cardNo: z.string().trim().regex(/^\d{11,19}$/).optional(),
  paymentCode: z.string().trim().regex(/^\d{18}$/).optional(),
  /** Asked for only above the student's per-purchase limit. */
  consumptionPin: sixDigits.optional(),
});

export const posPurchaseResultSchema = z.object({
  purchaseId: z.string(),
  amountFen: z.number().int(),
  balanceAfterFen: z.number().int(),
  method: z.enum(['card', 'payment_code']),
  pinChecked: z.boolean(),
  holderNameMasked: z.string(),
  cardNoMasked: z.string(),
  at: z.string(),
});

export const hotWaterRequestSchema = z.object({ cardNo: z.string().trim().regex(/^\d{11,19}$/) });
export const hotWaterSchema = z.object({ allowed: z.boolean(), reason: z.enum(['ok', 'card_not_usable', 'balance_low']), minBalanceFen: z.number().int() });

export type PaymentCodeDto = z.infer<typeof paymentCodeSchema>;
export type PosPurchase = z.infer<typeof posPurchaseSchema>;
export type PosPurchaseResult = z.infer<typeof posPurchaseResultSchema>;
export type HotWaterDto = z.infer<typeof hotWaterSchema>;
