import { randomUUID } from 'node:crypto';
import type { NetworkGatewayAnswer } from '../src/modules/campus/campus.schemas.js';
import { campusTerminal } from './campus-terminal.js';
import { HttpApi, TerminalClient } from './client.js';

/**
 * A campus network gateway over real HTTP (seed 004: 校园网计时收费), in the part of a RADIUS
 * accounting client that talks to the card centre: it signs one device on with the student's
 * account and query password, then plays `minutes` of use, reporting every `reportEvery` minutes
 * or sooner when the server's timeout (the minutes paid for) runs out, and signs the device off
 * at the end, or as soon as the server says the time is not paid. No time passes for real: the
 * minutes are the gateway's count.
 */
export interface NetworkSessionOptions {
  url: string;
  credentialsFile: string;
  operator: { token?: string; username?: string; password?: string };
  school: string;
  account: string;
  password: string;
  mac: string;
  minutes: number;
  reportEvery: number;
}

export interface NetworkStep {
  minute: number;
  answer: NetworkGatewayAnswer;
}

/** The answers the server gave, from the sign-on to the last report. */
export async function runNetworkSession(options: NetworkSessionOptions): Promise<NetworkStep[]> {
  const http = new HttpApi(options.url);
  const gateway = await campusTerminal(http, { ...options, kind: 'network_gateway', operatorName: '信息与网络管理中心' });
  const client = new TerminalClient(http, { code: gateway.code, secret: gateway.secret });
  const { terminalId } = await client.login();
  const sessionId = `SIM-${randomUUID()}`;
  const steps: NetworkStep[] = [{ minute: 0, answer: await client.networkSignOn(terminalId, { sessionId, account: options.account, password: options.password, mac: options.mac }) }];
  let minute = 0;
  let left = steps[0]!.answer.minutesLeft;
  while (left > 0 && minute < options.minutes) {
    minute = Math.min(options.minutes, minute + Math.min(options.reportEvery, left));
    const answer = await client.networkUsage(terminalId, sessionId, { minutes: minute, final: minute === options.minutes });
    steps.push({ minute, answer });
    left = answer.ended ? 0 : answer.minutesLeft;
  }
  return steps;
}
