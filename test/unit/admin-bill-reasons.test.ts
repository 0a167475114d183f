import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { billNotMadeYet, noEndpoint } from '../../src/modules/payments/reconcile-bills.js';
import { projectRoot } from '../../src/platform/paths.js';
import { billReasonKey } from '../../web/admin/src/payments/billReasons.js';
import { paymentMessages } from '../../web/admin/src/payments/messages.js';

/**
 * The reconciliation page says in words why a gateway's bill was not used (对账方式). The server
 * gives its own reasons, the gateways' "not made yet" answers, or the code of the error the
 * download failed with (reconcile-bills.ts fetchDayBill, `CODE` or `CODE: detail`). This reads the
 * codes the bill download can fail with from its source, so a new one without words fails here
 * instead of reaching the operator as "NO_GATEWAY_ENDPOINT".
 */
const billSources = ['gateways/bill-clients.ts', 'gateways/registry.ts', 'gateways/http.ts'];

function downloadErrorCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of billSources) {
    const text = readFileSync(join(projectRoot(), 'src/modules/payments', file), 'utf8');
    for (const match of text.matchAll(/\bfail\('([A-Z_]+)'/g)) codes.add(match[1]!);
  }
  return codes;
}

describe('the reconciliation’s words for a bill not used', () => {
  const reasons = [noEndpoint, ...billNotMadeYet, ...downloadErrorCodes()];

  it('finds the download’s error codes (the scan works)', () => {
    expect(reasons).toEqual(expect.arrayContaining(['NO_GATEWAY_ENDPOINT', 'DAY_NOT_OVER', 'GATEWAY_UNAVAILABLE', 'GATEWAY_RESPONSE_INVALID']));
  });

  it('has zh and en words for every reason the server gives, with or without a detail', () => {
    for (const reason of reasons) {
      for (const sent of [reason, `${reason}: hash mismatch`]) {
        const key = billReasonKey(sent);
        expect(key, sent).not.toBeNull();
        expect(paymentMessages['zh-CN'][key!], sent).toMatch(/[\u4e00-\u9fff]/);
        expect(paymentMessages.en[key!], sent).not.toMatch(/[\u4e00-\u9fff]|[A-Z]{2,}_/);
      }
    }
    expect(paymentMessages['zh-CN'][billReasonKey('NO_GATEWAY_ENDPOINT')!]).toBe('尚无经此渠道的支付，无对账单可下载');
  });

  it('leaves a reason it does not know to the general sentence (with the code beside it)', () => {
    expect(billReasonKey('SOMETHING_NEW')).toBeNull();
  });
});
