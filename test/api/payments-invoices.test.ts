import { afterAll, beforeAll, expect, it } from 'vitest';
import { PaymentsDriver } from './payments-driver.js';

let d: PaymentsDriver;
beforeAll(async () => {
  d = await PaymentsDriver.start();
  d.t.clock.set('2026-11-23T02:00:00Z');
});
afterAll(async () => d.close());

it('issues a top-up’s e-invoice from the next day for 180 days, once, as a PDF', async () => {
  const { student, parentToken, parent } = await d.family();
  const order = await d.topUp(parentToken, student.id, 10_000);
  const fee = await d.feeOrder(parentToken, student.id);
  const late = await d.topUp(parentToken, student.id, 5_000);
  for (const o of [order, fee, late]) await d.payAtCashier(parentToken, o.id, 'alipay');
  await d.runJobs();

  const body = { title: '张小明', taxId: undefined };
  expect((await d.request('GET', `/orders/${order.id}/invoice`, parentToken)).json()).toMatchObject({ error: { code: 'INVOICE_NOT_FOUND' } });
  expect((await d.request('POST', `/orders/${order.id}/invoice`, parentToken, body)).json()).toMatchObject({ error: { code: 'INVOICE_NOT_YET', details: { availableFrom: '2026-11-24' } } });

  d.t.clock.set('2026-11-24T01:00:00Z');
  const token = await d.t.factory.loginAs('parent', parent.phone, parent.password);
  const issued = await d.request('POST', `/orders/${order.id}/invoice`, token, { title: '北京某某科技有限公司', taxId: '91110108mA01abcd2x' });
  expect(issued.statusCode).toBe(201);
  const invoice = issued.json();
  expect(invoice).toMatchObject({ orderId: order.id, title: '北京某某科技有限公司', taxId: '91110108MA01ABCD2X', amountFen: 10_000 });
  expect(invoice.invoiceNo).toMatch(/^20261124\d{12}$/);
  expect((await d.request('POST', `/orders/${order.id}/invoice`, token, { title: '另一个抬头' })).json()).toMatchObject({ id: invoice.id, title: '北京某某科技有限公司' });
  expect((await d.request('POST', `/orders/${fee.id}/invoice`, token, body)).json()).toMatchObject({ error: { code: 'INVOICE_NOT_ALLOWED' } });

  const pdf = await d.request('GET', `/orders/${order.id}/invoice.pdf`, token);
  expect(pdf.statusCode).toBe(200);
  expect(pdf.headers['content-type']).toBe('application/pdf');
  expect(pdf.headers['content-disposition']).toBe(`attachment; filename="invoice-${invoice.invoiceNo}.pdf"`);
  expect(pdf.rawPayload.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
  expect(pdf.rawPayload.toString('latin1')).toMatch(/startxref\n\d+\n%%EOF\n$/);

  const stranger = await d.family();
  expect((await d.request('GET', `/orders/${order.id}/invoice.pdf`, stranger.parentToken)).statusCode).toBe(403);

  d.t.clock.set('2027-05-23T01:00:00Z'); // 181 days after payment
  const later = await d.t.factory.loginAs('parent', parent.phone, parent.password);
  expect((await d.request('POST', `/orders/${late.id}/invoice`, later, body)).json()).toMatchObject({ error: { code: 'INVOICE_WINDOW_PASSED', details: { lastDate: '2027-05-22' } } });
});

/** Text as simple-pdf writes it: UTF-16BE hex. */
const pdfText = (text: string) => [...text].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('').toUpperCase();

it('a refund after the invoice issues a red-letter invoice (红字发票) for that amount; a refund before it needs none', async () => {
  d.t.clock.set('2027-06-01T02:00:00Z');
  const { student, parent, parentToken } = await d.family();
  const refundedFirst = await d.topUp(parentToken, student.id, 8_000);
  const refundedAfter = await d.topUp(parentToken, student.id, 10_000);
  for (const o of [refundedFirst, refundedAfter]) await d.payAtCashier(parentToken, o.id, 'wechat');
  await d.runJobs();
  let operator = await d.t.factory.operatorToken();

  // Refunded in part before its invoice: the invoice is for what is left, with no red letter.
  const firstRefund = await d.request('POST', `/admin/orders/${refundedFirst.id}/refunds`, operator, { amountFen: 3_000 });
  expect(firstRefund.statusCode, firstRefund.body).toBe(201);
  d.t.clock.set('2027-06-02T01:00:00Z');
  const token = await d.t.factory.loginAs('parent', parent.phone, parent.password);
  const first = (await d.request('POST', `/orders/${refundedFirst.id}/invoice`, token, { title: '张小明' })).json();
  expect(first).toMatchObject({ amountFen: 5_000, redLetters: [], netAmountFen: 5_000 });

  // Invoiced, then refunded twice: one red letter per refund, and the invoice itself unchanged.
  const blue = (await d.request('POST', `/orders/${refundedAfter.id}/invoice`, token, { title: '张小明' })).json();
  operator = await d.t.factory.operatorToken(); // a new day: a new operator session
  expect(blue).toMatchObject({ amountFen: 10_000, redLetters: [], netAmountFen: 10_000 });
  expect((await d.request('POST', `/admin/orders/${refundedAfter.id}/refunds`, operator, { amountFen: 2_500 })).statusCode).toBe(201);
  d.t.clock.advance(60_000);
  expect((await d.request('POST', `/admin/orders/${refundedAfter.id}/refunds`, operator, { amountFen: 7_500 })).statusCode).toBe(201);
  const after = (await d.request('GET', `/orders/${refundedAfter.id}/invoice`, token)).json();
  expect(after).toMatchObject({ invoiceNo: blue.invoiceNo, amountFen: 10_000, netAmountFen: 0 });
  expect(after.redLetters.map((r: { amountFen: number }) => r.amountFen)).toEqual([2_500, 7_500]);
  for (const red of after.redLetters) expect(red.invoiceNo).toMatch(/^20270602\d{12}$/);
  const audit = await d.t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', blue.id).where('action', '=', 'payments.invoice.red_letter_issued').execute();
  expect(audit.map((a) => (a.after as { amountFen: number }).amountFen).sort((a, b) => a - b)).toEqual([2_500, 7_500]);

  // The red letter as a PDF: marked 红字, naming the blue invoice, the amount negative.
  const red = after.redLetters[0];
  const pdf = await d.request('GET', `/orders/${refundedAfter.id}/invoice/red-letters/${red.invoiceNo}.pdf`, token);
  expect(pdf.statusCode).toBe(200);
  expect(pdf.headers['content-disposition']).toBe(`attachment; filename="invoice-${red.invoiceNo}-red.pdf"`);
  const text = pdf.rawPayload.toString('latin1');
  for (const shown of ['红字', '对应蓝字发票号码', blue.invoiceNo, '-¥25.00', '（负数）贰拾伍圆整']) expect(text, shown).toContain(pdfText(shown));
  // Only the order's own red letters, and only for those who may see the order.
  expect((await d.request('GET', `/orders/${refundedFirst.id}/invoice/red-letters/${red.invoiceNo}.pdf`, token)).json()).toMatchObject({ error: { code: 'INVOICE_NOT_FOUND' } });
  const stranger = await d.family();
  expect((await d.request('GET', `/orders/${refundedAfter.id}/invoice/red-letters/${red.invoiceNo}.pdf`, stranger.parentToken)).statusCode).toBe(403);
  expect((await d.request('GET', `/orders/${refundedAfter.id}/invoice/red-letters/not-a-number.pdf`, token)).statusCode).toBe(404);
  await d.expectLedgerClean();
});

it('a card return issues a red-letter invoice for the share of the balance that goes back through an invoiced top-up', async () => {
  d.t.clock.set('2027-07-01T02:00:00Z');
  const { student, parent, parentToken } = await d.family();
  const invoiced = await d.topUp(parentToken, student.id, 10_000);
  await d.payAtCashier(parentToken, invoiced.id, 'alipay');
  await d.runJobs();
  d.t.clock.set('2027-07-02T01:00:00Z');
  const token = await d.t.factory.loginAs('parent', parent.phone, parent.password);
  const blue = (await d.request('POST', `/orders/${invoiced.id}/invoice`, token, { title: '张小明' })).json();
  const newer = await d.topUp(token, student.id, 5_000);
  await d.payAtCashier(token, newer.id, 'wechat');
  await d.runJobs();
  await d.spend(student.id, 6_000);

  // ¥90 goes back, newest top-up first: ¥50 through the newer one (not invoiced), ¥40 through the invoiced one.
  const returned = await d.request('POST', '/balance-refunds', token, { cardId: await d.cardOf(student.id) });
  expect(returned.statusCode, returned.body).toBe(201);
  expect((await d.request('GET', `/orders/${invoiced.id}/invoice`, token)).json()).toMatchObject({ invoiceNo: blue.invoiceNo, amountFen: 10_000, netAmountFen: 6_000, redLetters: [{ amountFen: 4_000 }] });
  expect((await d.request('GET', `/orders/${newer.id}/invoice`, token)).json()).toMatchObject({ error: { code: 'INVOICE_NOT_FOUND' } });
  await d.expectLedgerClean();
});
