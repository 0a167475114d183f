import { z } from 'zod';
import { billAmountMaxFen, billAmountMinFen, billCourseMaxLength, schoolBillKinds } from '../../domain/school-bills.js';
import { controlCharacter } from '../../platform/text.js';
import { pageQuerySchema } from '../shared/pagination.js';

/**
 * 学费及重修费缴费 (seed 004):
 *   GET  /campus/bills?studentId=                          → { items: schoolBillSchema[], unpaidFen } (the student's own; a parent's child's)
 *   POST /orders/school-bill          { billId }           → 201 orderSchema (the student or a parent, by Alipay / WeChat Pay: then POST /orders/:id/pay)
 *   POST /campus/bills/:billId/pay    { queryPassword }    → 200 { bill, balanceAfterFen } (from the campus card)
 *   GET  /admin/campus/bills?schoolId=&status=&kind=&studentNo= → page of adminSchoolBillSchema, with totals per status
 *   POST /admin/campus/bills          newBillSchema        → 201 { issued, totalFen } (one bill)
 *   POST /admin/campus/bills/file?schoolId=   text/csv     → 201 { issued, totalFen } (a file; all or nothing)
 *   POST /admin/campus/bills/:billId/cancel { reason }     → adminSchoolBillSchema (撤销, unpaid only)
 */

export const schoolBillKindSchema = z.enum(schoolBillKinds);
export const schoolBillStatusSchema = z.enum(['unpaid', 'paid', 'cancelled']);

export const schoolBillSchema = z.object({
  id: z.string(),
  kind: schoolBillKindSchema,
  academicYear: z.string(),
  course: z.string().nullable(),
  /** 2026-2027学年学费, 重修费：高等数学A */
  title: z.string(),
  /** The payee: the university. */
  schoolName: z.string(),
  amountFen: z.number().int(),
  dueDate: z.string(),
  /** Unpaid past its due date (Beijing). */
  overdue: z.boolean(),
  status: schoolBillStatusSchema,
  paidVia: z.enum(['order', 'campus_card']).nullable(),
  paidAt: z.string().nullable(),
  /** The latest Alipay / WeChat Pay order for it, paid or not. */
  orderId: z.string().nullable(),
  /** That order while it waits at the cashier (open, in its time limit): pay or cancel it before another way. */
  waitingOrderId: z.string().nullable(),
  /** Why the school cancelled it. */
  cancelReason: z.string().nullable(),
  createdAt: z.string(),
});
export type SchoolBillDto = z.infer<typeof schoolBillSchema>;

export const adminSchoolBillSchema = schoolBillSchema.extend({ studentNameMasked: z.string(), studentNo: z.string().nullable() });
const statusTotal = z.object({ count: z.number().int(), amountFen: z.number().int() });
export const billTotalsSchema = z.object({ unpaid: statusTotal, paid: statusTotal, cancelled: statusTotal });

export const billParams = z.object({ billId: z.uuid() });
export const billsQuerySchema = z.object({ studentId: z.uuid().optional() });
export const billOrderSchema = z.object({ billId: z.uuid() });
export const payBillSchema = z.object({ queryPassword: z.string().regex(/^\d{6}$/) });
export const billPaidSchema = z.object({ bill: schoolBillSchema, balanceAfterFen: z.number().int() });

export const adminBillQuerySchema = pageQuerySchema.extend({
  schoolId: z.uuid().optional(), status: schoolBillStatusSchema.optional(), kind: schoolBillKindSchema.optional(), studentNo: z.string().trim().min(1).max(32).optional(),
});

export const newBillSchema = z.object({
  /** Operators name the university; a card manager's is their own. */
  schoolId: z.uuid().optional(),
  studentNo: z.string().trim().regex(/^[A-Za-z0-9-]{1,32}$/),
  kind: schoolBillKindSchema,
  academicYear: z.string(),
  course: z.string().max(billCourseMaxLength).refine((s) => !controlCharacter.test(s)).nullable().default(null),
  amountFen: z.number().int().min(billAmountMinFen).max(billAmountMaxFen),
  dueDate: z.iso.date(),
});
export const billFileQuerySchema = z.object({ schoolId: z.uuid().optional() });
export const billsIssuedSchema = z.object({ issued: z.number().int(), totalFen: z.number().int() });
export const cancelBillSchema = z.object({ reason: z.string().trim().min(1).max(100).refine((s) => !controlCharacter.test(s)) });
