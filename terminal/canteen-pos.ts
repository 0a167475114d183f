import { randomUUID } from 'node:crypto';
import type { PosPurchaseResult, PosRefundResult } from '../src/modules/campus/campus.schemas.js';
import { campusTerminal } from './campus-terminal.js';
import { HttpApi, TerminalClient } from './client.js';

/**
 * A canteen POS over real HTTP (seed 004: 食堂消费): registered once by an operator, it keeps its
 * credentials in a file, signs in as a terminal and charges a campus card or an app payment code.
 * The purchase id is chosen before asking, so a retry after a lost answer is the same purchase.
 */

/** Where the POS's server is, and which canteen and university it is (registered once, then kept). */
export interface TillOptions {
  url: string;
  /** Where the POS keeps its terminal code and secret between runs. */
  credentialsFile: string;
  /** Used only to register the POS the first time. */
  operator: { token?: string; username?: string; password?: string };
  merchant: string;
  /** The code of the university whose canteen this is: the POS takes its cards only. */
  school: string;
}

export interface ChargeOptions extends TillOptions {
  amountFen: number;
  paymentCode?: string;
  cardNo?: string;
  consumptionPin?: string;
  purchaseId?: string;
}

/** Charges one purchase and answers the server's receipt (or throws its ApiError). */
async function signedInPos(options: TillOptions) {
  const http = new HttpApi(options.url);
  const pos = await campusTerminal(http, { ...options, kind: 'pos', operatorName: options.merchant });
  const client = new TerminalClient(http, { code: pos.code, secret: pos.secret });
  const { terminalId } = await client.login();
  return { client, terminalId };
}

export async function chargeAtPos(options: ChargeOptions): Promise<PosPurchaseResult> {
  const { client, terminalId } = await signedInPos(options);
  const body = {
    purchaseId: options.purchaseId ?? randomUUID(),
    amountFen: options.amountFen,
    ...(options.paymentCode ? { paymentCode: options.paymentCode } : {}),
    ...(options.cardNo ? { cardNo: options.cardNo } : {}),
    ...(options.consumptionPin ? { consumptionPin: options.consumptionPin } : {}),
  };
  return client.purchase(terminalId, body);
}


/** 撤销: cancels one of this POS's purchases of today (or answers the cancel it already made). */
export async function cancelAtPos(options: TillOptions & { purchaseId: string }): Promise<PosRefundResult> {
  const { client, terminalId } = await signedInPos(options);
  return client.cancelPurchase(terminalId, options.purchaseId);
}
