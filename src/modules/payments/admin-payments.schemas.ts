import { z } from 'zod';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';
import { adminRefundSchema, balanceRefundSchema, gatewaySchema, orderSchema, orderStatusSchema } from './payments.schemas.js';

/**
 * The admin console's money screens (shared with web/admin): order search, one order with
 * everything that happened to it, and the balance refunds list. Names and ID numbers arrive
 * masked; card managers see their own school only.
 */

const isoDate = z.iso.date();

export const adminOrderQuerySchema = pageQuerySchema
  .extend({
    /** An order number (hex, 9–31 characters, prefix), an education ID (1–8 digits, prefix) or part of a name. */
    q: z.string().trim().max(32).optional(),
    status: orderStatusSchema.optional(),
    kind: z.enum(['top_up', 'fee', 'network_top_up', 'school_bill']).optional(),
    gateway: gatewaySchema.optional(),
    /** Beijing days, inclusive, on the order's creation time. */
    from: isoDate.optional(),
    to: isoDate.optional(),
    /** Operators only; a card manager's own school is always applied. */
    schoolId: z.uuid().optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
export type AdminOrderQuery = z.infer<typeof adminOrderQuerySchema>;

export const adminOrderRowSchema = orderSchema.extend({
  educationId: z.string(),
  schoolId: z.string(),
  schoolName: z.string(),
});
export type AdminOrderRow = z.infer<typeof adminOrderRowSchema>;
export const adminOrderPageSchema = pageSchema(adminOrderRowSchema);

export const adminOrderDetailSchema = z.object({
  order: adminOrderRowSchema,
  /** What is left to refund (0 unless the order is fulfilled and paid at a gateway). */
  refundableFen: z.number().int(),
  attempts: z.array(z.object({ id: z.string(), gateway: gatewaySchema, createdAt: z.string() })),
  notifications: z.array(z.object({
    id: z.string(),
    gateway: gatewaySchema,
    notifyId: z.string().nullable(),
    verified: z.boolean(),
    outcome: z.enum(['processed', 'duplicate', 'ignored', 'rejected']),
    errorCode: z.string().nullable(),
    tradeNo: z.string().nullable(),
    amountFen: z.number().int().nullable(),
    receivedAt: z.string(),
  })),
  refunds: z.array(adminRefundSchema),
  ledger: z.array(z.object({
    id: z.string(),
    type: z.string(),
    memo: z.string().nullable(),
    createdAt: z.string(),
    postings: z.array(z.object({ accountCode: z.string(), debitFen: z.number().int(), creditFen: z.number().int() })),
  })),
});
export type AdminOrderDetail = z.infer<typeof adminOrderDetailSchema>;

export const balanceRefundStatusSchema = z.enum(['refunding', 'awaiting_outlet', 'completed']);

export const adminBalanceRefundQuerySchema = pageQuerySchema.extend({
  /** An education ID (1–8 digits, prefix) or part of a name. */
  q: z.string().trim().max(32).optional(),
  status: balanceRefundStatusSchema.optional(),
  route: z.enum(['gateway', 'outlet']).optional(),
  schoolId: z.uuid().optional(),
});
export type AdminBalanceRefundQuery = z.infer<typeof adminBalanceRefundQuerySchema>;

export const adminBalanceRefundRowSchema = balanceRefundSchema.omit({ refunds: true }).extend({
  studentName: z.string(),
  educationId: z.string(),
  schoolName: z.string(),
  /** How many of its gateway refunds the gateways have confirmed, of how many. */
  gatewayRefunds: z.number().int(),
  gatewayRefundsSucceeded: z.number().int(),
});
export type AdminBalanceRefundRow = z.infer<typeof adminBalanceRefundRowSchema>;
export const adminBalanceRefundPageSchema = pageSchema(adminBalanceRefundRowSchema);

/** What the outlet checks before paying out: the holder, masked, against the ID document presented. */
export const adminBalanceRefundDetailSchema = balanceRefundSchema.extend({
  student: z.object({
    name: z.string(),
    educationId: z.string(),
    idNumber: z.string(),
    gender: z.enum(['M', 'F']),
    schoolName: z.string(),
  }),
  completedBy: z.string().nullable(),
  /** The ledger transaction that booked the outlet's payout, once completed. */
  payout: z.object({ transactionId: z.string(), amountFen: z.number().int(), memo: z.string().nullable(), createdAt: z.string() }).nullable(),
});
export type AdminBalanceRefundDetail = z.infer<typeof adminBalanceRefundDetailSchema>;
