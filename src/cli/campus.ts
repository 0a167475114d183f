import type { Command } from 'commander';
import { resolve } from 'node:path';
import { formatYuan, parseYuanToFen } from '../domain/money.js';
import { positiveInt } from './terminal.js';

/**
 * The server's refusals (limit, password, balance, devices, an expired code) are for the person at
 * the till or the portal: one line and exit code 1, not a stack trace. Programming errors still throw.
 */
function refused(command: string) {
  return (error: unknown): null => {
    if (!(error instanceof Error) || error.name === 'TypeError' || error.name === 'ReferenceError') throw error;
    console.error(`${command}: ${error.message}`);
    process.exitCode = 1;
    return null;
  };
}

/**
 * `onecard pos charge` and `onecard pos cancel`: a canteen POS charging a campus card or the app's
 * 付款码, or cancelling one of its purchases of today, against a running server over real HTTP,
 * for trying the campus payment flow by hand (the demo has no till). The POS registers itself
 * once with operator credentials and keeps its own in --state-dir.
 */
export function registerPosCommands(program: Command): void {
  const pos = program.command('pos').description('a canteen POS (campus payments)');
  /** What every POS command needs: the server, the POS's canteen and university, and how it registers the first time. */
  const tillOptions = (command: Command) =>
    command
      .requiredOption('--school <code>', 'the university whose canteen this is (the demo’s: BJ-U-1001)')
      .option('--merchant <name>', 'the canteen the POS belongs to (its merchant account)', '一食堂')
      .option('--url <url>', 'server base URL', process.env.ONECARD_URL ?? 'http://localhost:3000')
      .option('--operator-token <token>', 'an operator bearer token, to register the POS the first time (or ONECARD_OPERATOR_TOKEN)', process.env.ONECARD_OPERATOR_TOKEN)
      .option('--operator-user <username>', 'operator login, when no token is given', 'operator')
      .option('--operator-password <password>', 'operator password (or ONECARD_OPERATOR_PASSWORD)', process.env.ONECARD_OPERATOR_PASSWORD)
      .option('--state-dir <dir>', 'where the POS keeps its terminal credentials', './data/pos');
  type TillOptions = { school: string; merchant: string; url: string; operatorToken?: string; operatorUser: string; operatorPassword?: string; stateDir: string };
  const till = (o: TillOptions) => ({
    url: o.url,
    credentialsFile: resolve(o.stateDir, 'pos.json'),
    operator: { token: o.operatorToken, username: o.operatorUser, password: o.operatorPassword },
    merchant: o.merchant,
    school: o.school,
  });

  tillOptions(
    pos
      .command('charge')
      .description('charge a campus card (--card-no) or an app payment code (--code) at a canteen POS')
      .requiredOption('--amount <yuan>', 'what the purchase costs, in yuan (12.50)')
      .option('--code <digits>', 'the 18-digit payment code the app shows')
      .option('--card-no <digits>', 'the campus card read at the till')
      .option('--pin <digits>', 'the consumption password, above the student’s per-purchase limit'),
  ).action(async (o: TillOptions & { amount: string; code?: string; cardNo?: string; pin?: string }) => {
    if (Boolean(o.code) === Boolean(o.cardNo)) throw new Error('give either --code or --card-no');
    const amountFen = parseYuanToFen(o.amount);
    const { chargeAtPos } = await import('../../terminal/canteen-pos.js');
    const receipt = await chargeAtPos({ ...till(o), amountFen, paymentCode: o.code, cardNo: o.cardNo, consumptionPin: o.pin }).catch(refused('pos charge'));
    if (!receipt) return;
    console.log(`${formatYuan(receipt.amountFen)} charged to ${receipt.holderNameMasked} (${receipt.cardNoMasked}) by ${receipt.method === 'payment_code' ? 'payment code' : 'card'}${receipt.pinChecked ? ', consumption password checked' : ''}; balance ${formatYuan(receipt.balanceAfterFen)}; purchase ${receipt.purchaseId}`);
  });

  tillOptions(
    pos
      .command('cancel')
      .description('撤销: cancel one of this POS’s purchases of today, refunding the card')
      .requiredOption('--purchase-id <id>', 'the purchase id `pos charge` printed'),
  ).action(async (o: TillOptions & { purchaseId: string }) => {
    const { cancelAtPos } = await import('../../terminal/canteen-pos.js');
    const refund = await cancelAtPos({ ...till(o), purchaseId: o.purchaseId }).catch(refused('pos cancel'));
    if (!refund) return;
    console.log(`${formatYuan(refund.amountFen)} of purchase ${refund.purchaseId} refunded to the card; balance ${formatYuan(refund.balanceAfterFen)}`);
  });
}

/**
 * `onecard network session`: a campus network gateway signing one device on and playing its
 * minutes against a running server over real HTTP, for trying 校园网计时收费 by hand.
 */
export function registerNetworkCommands(program: Command): void {
  const network = program.command('network').description('a campus network gateway (校园网计时收费)');
  network
    .command('session')
    .description('sign a device on with a student’s account and query password, use it for --minutes, and sign it off')
    .requiredOption('--school <code>', 'the university whose network this is (the demo’s: BJ-U-1001)')
    .requiredOption('--account <no>', 'the student number or ID number')
    .requiredOption('--password <digits>', 'the student’s query password')
    .option('--mac <address>', 'the device’s MAC address', '3C:22:FB:12:34:56')
    .option('--minutes <n>', 'how long the device stays on (the gateway’s count; no real time passes)', positiveInt('--minutes'), 90)
    .option('--report-every <n>', 'minutes between the gateway’s reports (RADIUS interim updates)', positiveInt('--report-every'), 15)
    .option('--url <url>', 'server base URL', process.env.ONECARD_URL ?? 'http://localhost:3000')
    .option('--operator-token <token>', 'an operator bearer token, to register the gateway the first time (or ONECARD_OPERATOR_TOKEN)', process.env.ONECARD_OPERATOR_TOKEN)
    .option('--operator-user <username>', 'operator login, when no token is given', 'operator')
    .option('--operator-password <password>', 'operator password (or ONECARD_OPERATOR_PASSWORD)', process.env.ONECARD_OPERATOR_PASSWORD)
    .option('--state-dir <dir>', 'where the gateway keeps its terminal credentials', './data/network')
    .action(async (o: { school: string; account: string; password: string; mac: string; minutes: number; reportEvery: number; url: string; operatorToken?: string; operatorUser: string; operatorPassword?: string; stateDir: string }) => {
      const { runNetworkSession } = await import('../../terminal/network-gateway.js');
      const steps = await runNetworkSession({
        url: o.url,
        credentialsFile: resolve(o.stateDir, 'gateway.json'),
        operator: { token: o.operatorToken, username: o.operatorUser, password: o.operatorPassword },
        school: o.school, account: o.account, password: o.password, mac: o.mac, minutes: o.minutes, reportEvery: o.reportEvery,
      }).catch(refused('network session'));
      if (!steps) return;
      for (const { minute, answer } of steps) {
        const state = answer.ended ? `off (${answer.endReason})` : `${answer.minutesLeft} min left`;
        console.log(`minute ${String(minute).padStart(4)}: charged ${formatYuan(answer.chargedFen)}, ${state}; balance ${formatYuan(answer.balanceFen)}, this month ${formatYuan(answer.monthChargedFen)}`);
      }
    });
}
