import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PosPurchaseResult } from '../src/modules/campus/campus.schemas.js';
import { HttpApi, OperatorClient, TerminalClient, type TerminalCredentials } from './client.js';

/**
 * A canteen POS over real HTTP (seed 004: 食堂消费): registered once by an operator, it keeps its
 * credentials in a file, signs in as a terminal and charges a campus card or an app payment code.
 * The purchase id is chosen before asking, so a retry after a lost answer is the same purchase.
 */

export interface ChargeOptions {
  url: string;
  /** Where the POS keeps its terminal code and secret between runs. */
  credentialsFile: string;
  /** Used only to register the POS the first time. */
  operator: { token?: string; username?: string; password?: string };
  merchant: string;
  /** The code of the university whose canteen this is: the POS takes its cards only. */
  school: string;
  amountFen: number;
  paymentCode?: string;
  cardNo?: string;
  consumptionPin?: string;
  purchaseId?: string;
}

interface StoredPos extends TerminalCredentials {
  id: string;
  url: string;
  merchant: string;
  school: string;
}

async function posFor(http: HttpApi, options: ChargeOptions): Promise<StoredPos> {
  if (existsSync(options.credentialsFile)) {
    const stored = JSON.parse(readFileSync(options.credentialsFile, 'utf8')) as StoredPos;
    if (stored.url === options.url && stored.merchant === options.merchant && stored.school === options.school) return stored;
  }
  const op = options.operator.token ? new OperatorClient(http, options.operator.token) : await OperatorClient.login(http, options.operator.username ?? 'operator', options.operator.password ?? '');
  const code = `POS-${randomUUID().slice(0, 8).toUpperCase()}`;
  const school = await op.schoolByCode(options.school);
  const created = await op.registerTerminal({ code, kind: 'pos', operator: options.merchant, location: null, schoolId: school.id });
  const stored = { id: created.id, code, secret: created.secret, url: options.url, merchant: options.merchant, school: options.school };
  mkdirSync(dirname(options.credentialsFile), { recursive: true });
  writeFileSync(options.credentialsFile, JSON.stringify(stored, null, 2), { mode: 0o600 });
  return stored;
}

/** Charges one purchase and answers the server's receipt (or throws its ApiError). */
export async function chargeAtPos(options: ChargeOptions): Promise<PosPurchaseResult> {
  const http = new HttpApi(options.url);
  const pos = await posFor(http, options);
  const client = new TerminalClient(http, { code: pos.code, secret: pos.secret });
  const { terminalId } = await client.login();
  const body = {
    purchaseId: options.purchaseId ?? randomUUID(),
    amountFen: options.amountFen,
    ...(options.paymentCode ? { paymentCode: options.paymentCode } : {}),
    ...(options.cardNo ? { cardNo: options.cardNo } : {}),
    ...(options.consumptionPin ? { consumptionPin: options.consumptionPin } : {}),
  };
  return client.purchase(terminalId, body);
}

