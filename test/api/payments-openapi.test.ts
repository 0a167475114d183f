import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

it('documents the payment endpoints in OpenAPI and hides the sandbox gateway', async () => {
  const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, unknown> };
  const paths = Object.keys(doc.paths);
  for (const path of ['/api/v1/orders/top-up', '/api/v1/orders/fee', '/api/v1/orders', '/api/v1/orders/{orderId}/pay', '/api/v1/orders/{orderId}/confirm', '/api/v1/payments/notify/alipay', '/api/v1/payments/notify/wechat', '/api/v1/balance-refunds']) {
    expect(paths).toContain(path);
  }
  expect(paths.filter((p) => p.includes('/sandbox/'))).toEqual([]);
});

it('documents that each reconciliation finding says whether it needs attention', async () => {
  type Schema = { properties: Record<string, Schema & { items: Schema }>; required?: string[]; type?: string };
  const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: Schema }> }> }>> };
  const report = doc.paths['/api/v1/admin/payments/reconciliations/{date}']!.get!.responses['200']!.content['application/json']!.schema;
  const finding = report.properties.findings!.items;
  expect(finding.properties.needsAttention).toMatchObject({ type: 'boolean', description: expect.stringContaining('someone must look') });
  expect(finding.required).toContain('needsAttention');
});
