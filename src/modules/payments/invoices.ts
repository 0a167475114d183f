import { randomInt } from 'node:crypto';
import { addDays, shanghaiDate } from '../../domain/calendar.js';
import { formatYuan } from '../../domain/money.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { Clock } from '../../platform/clock.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { amountInChineseWords } from './chinese-amount.js';
import { accessibleOrder } from './list-orders.js';
import { paymentsRepository as repo, type InvoiceRow, type OrderRow, type RedInvoiceRow } from './payments.repository.js';
import { renderPdf, type PdfLine, type PdfText } from './simple-pdf.js';

/** A top-up's e-invoice may be requested from the day after payment, for 180 days (domain rules). */
const invoiceWindowDays = 180;

/** 红字发票: cancels part (or all) of the invoice for a refund made after it was issued. */
export interface RedLetterView {
  invoiceNo: string;
  amountFen: number;
  issuedAt: string;
}

export interface InvoiceView {
  id: string;
  orderId: string;
  invoiceNo: string;
  title: string;
  taxId: string | null;
  amountFen: number;
  issuedAt: string;
  redLetters: RedLetterView[];
  /** What the invoice still stands for: its amount less its red-letter invoices. */
  netAmountFen: number;
}

const view = (row: InvoiceRow, reds: readonly RedInvoiceRow[]): InvoiceView => ({
  id: row.id, orderId: row.order_id, invoiceNo: row.invoice_no, title: row.title, taxId: row.tax_id, amountFen: row.amount_fen, issuedAt: row.issued_at.toISOString(),
  redLetters: reds.map((r) => ({ invoiceNo: r.invoice_no, amountFen: r.amount_fen, issuedAt: r.issued_at.toISOString() })),
  netAmountFen: row.amount_fen - reds.reduce((sum, r) => sum + r.amount_fen, 0),
});

const viewWithRedLetters = async (db: DbOrTx, row: InvoiceRow): Promise<InvoiceView> => view(row, await repo.redInvoicesOf(db, row.id));

/** The Beijing dates between which a top-up paid at `paidAt` can be invoiced, both included. */
function invoiceWindow(paidAt: Date): { fromDate: string; toDate: string } {
  const paidDate = shanghaiDate(paidAt);
  return { fromDate: addDays(paidDate, 1), toDate: addDays(paidDate, invoiceWindowDays) };
}

function assertInvoiceable(order: OrderRow, now: Date): void {
  if (order.kind !== 'top_up' || order.status !== 'fulfilled' || !order.paid_at || order.refunded_fen >= order.amount_fen) {
    throw fail('INVOICE_NOT_ALLOWED', { orderId: order.id, kind: order.kind, status: order.status });
  }
  const today = shanghaiDate(now);
  const { fromDate, toDate } = invoiceWindow(order.paid_at);
  if (today < fromDate) throw fail('INVOICE_NOT_YET', { availableFrom: fromDate });
  if (today > toDate) throw fail('INVOICE_WINDOW_PASSED', { lastDate: toDate });
}

/** 20 digits like a fully digital invoice number: the issue date, then twelve random digits. */
const invoiceNo = (now: Date) => shanghaiDate(now).replaceAll('-', '') + Array.from({ length: 12 }, () => String(randomInt(10))).join('');

/**
 * Issues the top-up's invoice for what was paid and not refunded, once per order: asking again
 * returns the invoice already issued (whatever title was given the second time).
 */
export async function requestInvoice(ctx: AppContext, caller: Caller, orderId: string, input: { title: string; taxId?: string | undefined }, requestId: string): Promise<InvoiceView> {
  await accessibleOrder(ctx.db, caller, orderId);
  const order = await repo.lockOrder(ctx.db, orderId);
  if (!order) throw fail('ORDER_NOT_FOUND', { orderId });
  const existing = await repo.findInvoiceOfOrder(ctx.db, orderId);
  if (existing) return viewWithRedLetters(ctx.db, existing);
  const now = ctx.clock.now();
  assertInvoiceable(order, now);
  const id = newId();
  await repo.insertInvoiceIfAbsent(ctx.db, {
    id, order_id: orderId, invoice_no: invoiceNo(now), title: input.title, tax_id: input.taxId ?? null, amount_fen: order.amount_fen - order.refunded_fen,
    requested_by_role: caller.role, requested_by: caller.subjectId, issued_at: now,
  });
  const issued = await repo.findInvoiceOfOrder(ctx.db, orderId);
  if (!issued) throw fail('INVOICE_NOT_FOUND', { orderId });
  await recordAudit(ctx.db, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'payments.invoice.issued', entityType: 'payment_invoice', entityId: issued.id, after: view(issued, []), requestId });
  return view(issued, []);
}

/**
 * A refund of an invoiced top-up, in the transaction that takes the money back; the caller holds
 * the order's row lock, as issuing the invoice does: a red-letter invoice cancels that much of the
 * invoice. A refund before the invoice needs none, since the invoice was issued for what was left.
 */
export async function issueRedLetterForRefund(db: DbOrTx, clock: Clock, refund: { orderId: string; refundId: string; amountFen: number }, actor: AuditActor, requestId: string | null): Promise<void> {
  const invoice = await repo.findInvoiceOfOrder(db, refund.orderId);
  if (!invoice) return;
  const now = clock.now();
  const red = { id: newId(), invoice_id: invoice.id, refund_id: refund.refundId, invoice_no: invoiceNo(now), amount_fen: refund.amountFen, issued_at: now };
  await repo.insertRedInvoice(db, red);
  await recordAudit(db, clock, {
    actor, action: 'payments.invoice.red_letter_issued', entityType: 'payment_invoice', entityId: invoice.id,
    after: { redLetterNo: red.invoice_no, blueInvoiceNo: invoice.invoice_no, amountFen: red.amount_fen, refundId: refund.refundId }, requestId,
  });
}

export async function getInvoice(ctx: AppContext, caller: Caller, orderId: string): Promise<InvoiceView> {
  await accessibleOrder(ctx.db, caller, orderId);
  const invoice = await repo.findInvoiceOfOrder(ctx.db, orderId);
  if (!invoice) throw fail('INVOICE_NOT_FOUND', { orderId });
  return viewWithRedLetters(ctx.db, invoice);
}

const gatewayLabels = { alipay: '支付宝', wechat: '微信支付' } as const;

function chineseDate(at: Date): string {
  const [y, m, d] = shanghaiDate(at).split('-');
  return `${y}年${m}月${d}日`;
}

/**
 * The invoice as an A4 page: the fields of a Chinese e-invoice, drawn by simple-pdf.ts. A
 * red-letter invoice shows its amount negative and names the blue invoice it cancels.
 */
function invoicePage(invoice: InvoiceRow, order: OrderRow, red?: RedInvoiceRow): { texts: PdfText[]; lines: PdfLine[] } {
  const amountFen = red ? -red.amount_fen : invoice.amount_fen;
  const amount = formatYuan(amountFen);
  const rows: [string, string][] = [
    ['发票号码', red ? red.invoice_no : invoice.invoice_no],
    ['开票日期', chineseDate(red ? red.issued_at : invoice.issued_at)],
    ...(red ? [['对应蓝字发票号码', invoice.invoice_no] as [string, string]] : []),
    ['购买方名称', invoice.title],
    ['纳税人识别号', invoice.tax_id ?? '—'],
    ['销售方名称', order.item.payee],
    ['项目名称', `*预付卡销售*${order.item.name}`],
    ['税率/征收率', '不征税'],
    ['金额', amount],
    ['价税合计（大写）', `${red ? '（负数）' : ''}${amountInChineseWords(Math.abs(amountFen))}`],
    ['价税合计（小写）', amount],
    ['订单编号', order.order_no],
    ['支付方式', order.gateway ? `${gatewayLabels[order.gateway]} ${order.gateway_trade_no ?? ''}` : '—'],
  ];
  const top = 700;
  const texts: PdfText[] = [
    { x: red ? 180 : 200, y: 780, size: 20, text: red ? '电子发票（普通发票）红字' : '电子发票（普通发票）' },
    ...rows.flatMap(([label, value], i): PdfText[] => [
      { x: 70, y: top - i * 28, size: 11, text: label },
      { x: 200, y: top - i * 28, size: 11, text: value },
    ]),
    { x: 70, y: 340, size: 8, text: '本文件由 Onecard 依据充值订单生成；正式发票以税务部门电子发票服务平台开具的为准。' },
  ];
  const boxTop = top + 24;
  const boxBottom = top - rows.length * 28 + 10;
  const lines: PdfLine[] = [
    { x1: 60, y1: boxTop, x2: 535, y2: boxTop },
    { x1: 60, y1: boxBottom, x2: 535, y2: boxBottom },
    { x1: 60, y1: boxTop, x2: 60, y2: boxBottom },
    { x1: 535, y1: boxTop, x2: 535, y2: boxBottom },
    { x1: 190, y1: boxTop, x2: 190, y2: boxBottom },
  ];
  return { texts, lines };
}

export async function invoicePdf(ctx: AppContext, caller: Caller, orderId: string): Promise<{ fileName: string; pdf: Buffer }> {
  const order = await accessibleOrder(ctx.db, caller, orderId);
  const invoice = await repo.findInvoiceOfOrder(ctx.db, orderId);
  if (!invoice) throw fail('INVOICE_NOT_FOUND', { orderId });
  return { fileName: `invoice-${invoice.invoice_no}.pdf`, pdf: renderPdf({ width: 595, height: 842, title: `电子发票 ${invoice.invoice_no}`, ...invoicePage(invoice, order) }) };
}

export async function redLetterPdf(ctx: AppContext, caller: Caller, orderId: string, redLetterNo: string): Promise<{ fileName: string; pdf: Buffer }> {
  const order = await accessibleOrder(ctx.db, caller, orderId);
  const invoice = await repo.findInvoiceOfOrder(ctx.db, orderId);
  const red = invoice && (await repo.redInvoicesOf(ctx.db, invoice.id)).find((r) => r.invoice_no === redLetterNo);
  if (!invoice || !red) throw fail('INVOICE_NOT_FOUND', { orderId, invoiceNo: redLetterNo });
  return { fileName: `invoice-${red.invoice_no}-red.pdf`, pdf: renderPdf({ width: 595, height: 842, title: `电子发票（红字） ${red.invoice_no}`, ...invoicePage(invoice, order, red) }) };
}
