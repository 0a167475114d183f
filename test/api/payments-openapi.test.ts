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
