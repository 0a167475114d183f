import { z } from 'zod';
import { abnormalRefundBankCodes } from '../../domain/wechat-banks.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';

/** Request and response schemas of payments (shared with the web apps; OpenAPI is built from them). */

export const gatewaySchema = z.enum(['alipay', 'wechat']);
export const orderStatusSchema = z.enum(['created', 'paying', 'paid', 'fulfilled', 'cancelled', 'expired', 'refunded']);

export const orderItemSchema = z.object({
  name: z.string(),
  projectName: z.string().nullable(),
  feeCode: z.string().nullable(),
  documentNo: z.string().nullable(),
  payee: z.string(),
});

export const orderSchema = z.object({
  id: z.string(),
  orderNo: z.string(),
  kind: z.enum(['top_up', 'fee', 'network_top_up', 'school_bill']),
  /** Placed by 自动充值 and charged through the parent's withholding agreement: never paid or cancelled by hand. */
  autoTopUp: z.boolean(),
  studentId: z.string(),
  cardId: z.string().nullable(),
  studentName: z.string(),
  /** The student's school and class: what tells a parent's children apart. */
  holder: z.object({ schoolName: z.string().nullable(), grade: z.number().int().nullable(), classNo: z.string().nullable() }),
  /** The card a top-up fills, masked; null for other orders. */
  cardNoMasked: z.string().nullable(),
  status: orderStatusSchema,
  pending: z.boolean(),
  /** An auto top-up's charge still waiting for Alipay's answer: 扣款中. */
  charging: z.boolean(),
  /** 项目状态 of a fee order: where the application it pays for stands (null for other orders). */
  projectStatus: z.object({ zh: z.string(), en: z.string() }).nullable(),
  /** Payments the order could not take, sent back through the gateway. */
  lateRefundFen: z.number().int(),
  amountFen: z.number().int(),
  refundedFen: z.number().int(),
  /** nameEn, projectNameEn: the English of the names the code gives; null for a name that is data (a school bill's title). */
  item: orderItemSchema.extend({ nameEn: z.string().nullable(), projectNameEn: z.string().nullable() }),
  gateway: gatewaySchema.nullable(),
  gatewayTradeNo: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  paidAt: z.string().nullable(),
  closedAt: z.string().nullable(),
});

export const orderParams = z.object({ orderId: z.uuid() });
/** A red-letter invoice of an order: its 20-digit number. */
export const redLetterParams = orderParams.extend({ invoiceNo: z.string().regex(/^\d{20}$/) });
export const balanceRefundParams = z.object({ balanceRefundId: z.uuid() });

export const createTopUpSchema = z.object({
  cardId: z.uuid(),
  amountFen: z.number().int(),
  /** A campus card's top-up asks for its holder's 6-digit query password (seed 004); other cards need none. */
  queryPassword: z.string().regex(/^\d{6}$/, '6 digits').optional(),
});
export const createNetworkTopUpSchema = z.object({ amountFen: z.number().int() });
export const createFeeSchema = z.object({ studentId: z.uuid(), feeCode: z.string().trim().min(1).max(32) });
/**
 * Where the gateway sends the payer back: a path of this site ("/pay/result?orderId=…"), never
 * another site. One leading slash, no "//" or backslash anywhere (browsers read "/\\x" as "//x"),
 * printable ASCII only (no spaces or control characters, which URL parsers drop), so the address
 * built on the server's own origin cannot leave it: an open redirect would hand payers to a phisher.
 */
export const returnPathSchema = z
  .string()
  .max(512)
  .regex(/^\/(?!.*\/\/)[\x21-\x7e]*$/, 'must be a path of this site: one leading "/", no "//"')
  .refine((path) => !path.includes('\\'), 'must not contain a backslash')
  .refine((path) => {
    const base = 'https://onecard.invalid';
    try {
      return new URL(path, base).origin === base;
    } catch {
      return false;
    }
  }, 'must stay on this site');

export const payOrderSchema = z.object({
  gateway: gatewaySchema,
  returnPath: returnPathSchema.optional().describe('Where the cashier sends the payer back (a path of this site); the order page when absent'),
});

/** The app's order tabs: 待支付 (open and in time), 已支付 (paid or fulfilled), 已关闭 (cancelled, expired, refunded, or past its time limit). */
export const orderGroupSchema = z.enum(['pending', 'paid', 'closed']);

export const orderListQuerySchema = pageQuerySchema.extend({
  studentId: z.uuid().optional(),
  status: orderStatusSchema.optional(),
  group: orderGroupSchema.optional().describe('pending: open and within the time limit; paid: paid or fulfilled; closed: cancelled, expired, refunded or past the time limit'),
});
export const orderPageSchema = pageSchema(orderSchema);

export const paymentLinkSchema = z.object({ order: orderSchema, gateway: gatewaySchema, cashierUrl: z.string() });

export const confirmationSchema = z.object({
  order: orderSchema,
  confirmed: z.boolean(),
  gateways: z.array(z.object({ gateway: gatewaySchema, state: z.enum(['not_found', 'pending', 'paid', 'closed']) })),
});

export const topUpOptionsSchema = z.object({
  presetsFen: z.array(z.number().int()),
  minFen: z.number().int(),
  maxFen: z.number().int(),
  fees: z.array(z.object({ feeCode: z.string(), amountFen: z.number().int(), item: orderItemSchema })),
});

export const refundSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  gateway: z.string(),
  amountFen: z.number().int(),
  reason: z.enum(['late_payment', 'duplicate_payment', 'operator', 'balance_refund']),
  /** offline_due: paid by WeChat Pay into the merchant's bank account (异常退款), the offline transfer to the payer still to come; superseded: a CLOSED refund asked again. */
  status: z.enum(['requested', 'succeeded', 'failed', 'offline_due', 'superseded']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  gatewayFailure: z.enum(['ABNORMAL', 'CLOSED']).nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});

/** A refund in the console: a 异常退款's route, bank and card's last four digits (never the number or the name), the offline transfer, the refund it asks again. */
const abnormalApplicationSchema = z.object({ route: z.enum(['user_bank_card', 'merchant_bank_card']), bankType: z.string().nullable(), accountLast4: z.string().nullable(), appliedAt: z.string() });

export const adminRefundSchema = refundSchema.extend({
  /** The 异常退款 WeChat accepted. */
  abnormal: abnormalApplicationSchema.nullable(),
  /** One sent and not answered yet. */
  abnormalPending: abnormalApplicationSchema.nullable(),
  /** WeChat reported the money paid where we did not send it (its user_received_account): nothing booked, for an operator. */
  routeConflict: z.string().nullable(),
  offlineReference: z.string().nullable(),
  offlinePaidAt: z.string().nullable(),
  replacesRefundId: z.string().nullable(),
});

export const refundParams = z.object({ refundId: z.uuid() });

/** 发起异常退款: to the payer's debit card (bank from WeChat's list, the number, the holder's name), or to the merchant's bank account. */
export const abnormalRefundSchema = z.discriminatedUnion('route', [
  z.object({
    route: z.literal('user_bank_card'),
    bankType: z.enum(abnormalRefundBankCodes),
    bankAccount: z.string().regex(/^[0-9 ]{12,25}$/, 'digits, spaces allowed between groups'),
    realName: z.string().trim().min(1).max(64),
  }),
  z.object({ route: z.literal('merchant_bank_card') }),
]);

/** The offline transfer to the payer (the bank's transaction reference). */
export const offlineTransferSchema = z.object({ reference: z.string().trim().min(1).max(64) });

/** `note`: why the operator refunds, kept with the refund in the audit log. */
export const refundOrderSchema = z.object({ amountFen: z.number().int().positive().optional(), note: z.string().trim().min(2).max(200).optional() });

export const balanceRefundSchema = z.object({
  id: z.string(),
  studentId: z.string(),
  amountFen: z.number().int(),
  route: z.enum(['gateway', 'outlet']),
  status: z.enum(['refunding', 'awaiting_outlet', 'completed']),
  outlet: z.string().nullable(),
  outletReference: z.string().nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
  refunds: z.array(refundSchema),
});

export const requestBalanceRefundSchema = z.object({ cardId: z.uuid() });
export const balanceRefundQuerySchema = z.object({ cardId: z.uuid() });
export const balanceRefundListSchema = z.object({ items: z.array(balanceRefundSchema) });
export const completeOutletRefundSchema = z.object({ outlet: z.string().trim().min(1).max(64), reference: z.string().trim().min(1).max(64) });

export const invoiceSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  invoiceNo: z.string(),
  title: z.string(),
  taxId: z.string().nullable(),
  amountFen: z.number().int(),
  issuedAt: z.string(),
  /** 红字发票 for refunds made after the invoice, oldest first. */
  redLetters: z.array(z.object({ invoiceNo: z.string(), amountFen: z.number().int(), issuedAt: z.string() })),
  netAmountFen: z.number().int(),
});

/** 发票抬头 and, for a company, its 18-character unified social credit code (older ids: 15 or 20). */
export const requestInvoiceSchema = z.object({
  title: z.string().trim().min(1).max(100),
  taxId: z.string().trim().toUpperCase().regex(/^[0-9A-Z]{15,20}$/).optional(),
});

export const reconciliationDateParams = z.object({ date: z.iso.date() });
const gatewayTotalsSchema = z.object({
  gatewayPaidFen: z.number().int(),
  ledgerBookedFen: z.number().int(),
  /** bill: compared with the gateway's daily bill file; query: each order asked about (no bill for the day yet, or its download failed). */
  source: z.enum(['bill', 'query']),
  billUnavailable: z.string().nullable(),
  gatewayRefundedFen: z.number().int().nullable(),
  /** The gateway's fees of the day by its bill (服务费 / 手续费), net of those given back on refunds. */
  feesFen: z.number().int().nullable(),
});
export const reconciliationSchema = z.object({
  date: z.string(),
  ranAt: z.string(),
  orders: z.number().int(),
  totals: z.object({ alipay: gatewayTotalsSchema, wechat: gatewayTotalsSchema }),
  findings: z.array(z.object({
    kind: z.enum([
      'settled_by_reconciliation', 'credited_without_gateway_payment', 'amount_mismatch', 'gateway_unreachable', 'refund_pending', 'notification_rejected',
      'unknown_trade', 'refund_not_ours', 'refund_missing_from_bill', 'refund_state_mismatch', 'bill_unavailable',
    ]),
    orderNo: z.string().nullable(),
    gateway: gatewaySchema.nullable(),
    detail: z.string(),
    needsAttention: z.boolean().describe('someone must look into it: a difference, or a bill that failed or is overdue (not one the gateway has not made yet); the day is balanced when no finding does'),
  })),
  balanced: z.boolean(),
});

/** 余额提醒 (GET/PUT/DELETE /me/children/:studentId/balance-alert). */
export const balanceAlertSchema = z.object({ thresholdFen: z.number().int().nullable(), alertedAt: z.string().nullable() });
export const setBalanceAlertSchema = z.object({ thresholdFen: z.number().int() });
export const spendNoticeSchema = z.object({ minAmountFen: z.number().int().nullable() });

/** 自动充值 (GET/PUT/DELETE /me/children/:studentId/auto-top-up). */
export const autoTopUpSchema = z.object({
  thresholdFen: z.number().int().nullable(),
  amountFen: z.number().int().nullable(),
  monthlyCapFen: z.number().int().nullable(),
  /** Charged (or being charged) for the child this Beijing month. */
  monthChargedFen: z.number().int(),
  agreementActive: z.boolean(),
  recent: z.array(z.object({ at: z.string(), cardNoMasked: z.string(), amountFen: z.number().int(), status: z.enum(['charging', 'paid', 'failed']), failure: z.string().nullable() })),
});
export const setAutoTopUpSchema = z.object({
  thresholdFen: z.number().int(),
  amountFen: z.number().int(),
  monthlyCapFen: z.number().int().nullable().optional().describe('At most this much a Beijing month; absent or null: no cap'),
});

/** 免密代扣: the parent's withholding agreement (GET/POST/DELETE /me/payment-agreement). */
export const paymentAgreementSchema = z.object({
  id: z.string(),
  gateway: z.enum(['alipay', 'wechat']).describe('支付宝商户代扣 or 微信支付委托代扣'),
  status: z.enum(['signing', 'active']),
  agreementNoMasked: z.string().nullable(),
  signedAt: z.string().nullable(),
});
export const startAgreementSchema = z.object({
  gateway: z.enum(['alipay', 'wechat']).optional().describe('With whom to sign: Alipay (default) or WeChat Pay'),
  returnPath: returnPathSchema.optional().describe('Where the gateway sends the parent back after signing (a path of this site); the parent\'s page when absent'),
});
export const agreementParams = z.object({ agreementId: z.uuid() });
export const agreementSigningSchema = z.object({ agreement: paymentAgreementSchema, signUrl: z.string() });
export const setSpendNoticeSchema = z.object({ minAmountFen: z.number().int() });
