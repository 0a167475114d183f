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
