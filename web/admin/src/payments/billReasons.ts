export type BillReasonKey = 'billDayNotOver' | 'billNotMadeYet' | 'billNoEndpoint' | 'billNotConfigured' | 'billGatewayUnreachable' | 'billGatewayRejected' | 'billInvalid';
/**
 * Every reason the server gives for not using a day's bill (src/modules/payments/reconcile-bills.ts:
 * its own reasons, the gateways' "not made yet" answers, the error codes of a download that
 * failed, sent as `CODE` or `CODE: detail`), with its words.
 */
const billReasonKeys: Record<string, BillReasonKey> = {
  DAY_NOT_OVER: 'billDayNotOver',
  'isp.bill_not_exist': 'billNotMadeYet',
  STATEMENT_CREATING: 'billNotMadeYet',
  NO_GATEWAY_ENDPOINT: 'billNoEndpoint',
  GATEWAY_NOT_CONFIGURED: 'billNotConfigured',
  GATEWAY_UNAVAILABLE: 'billGatewayUnreachable',
  GATEWAY_REJECTED: 'billGatewayRejected',
  GATEWAY_RESPONSE_INVALID: 'billInvalid',
};
/** The words for why the bill was not used, or null for a reason added on the server later. */
export function billReasonKey(reason: string): BillReasonKey | null {
  return billReasonKeys[reason.split(':')[0]!.trim()] ?? null;
}
