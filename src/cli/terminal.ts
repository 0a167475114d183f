import type { Command } from 'commander';
import { resolve } from 'node:path';
import { loadConfig } from '../platform/config.js';

/**
 * `onecard terminal simulate`: N cards and M terminals (bus validators, rail gates) go through a
 * day of taps with rush hours and offline spells, then a lost card is tapped after its loss
 * report, all over real HTTP against a running server. The simulators live in terminal/, which
 * the build compiles beside src/ (tsconfig.build.json), so the built CLI imports plain JS and
 * needs no TypeScript loader; the import is lazy so other commands do not load the simulators.
 */

export interface SimulateOptions {
  url: string;
  operatorToken?: string;
  operatorUser?: string;
  operatorPassword?: string;
  cards: number;
  terminals: number;
  /** Where terminal credentials, card states and tap journals are kept between runs. */
  stateDir: string;
  /** Issuer master key: card keys are derived from it (config secrets.cardMasterKey). */
  masterKey: string;
  /** Used only when GET /terminal/me does not give `denyListPublicKey`. */
  denyListSigningKey?: string;
  seed: number;
  tripsPerCard: number;
  syncEveryMinutes: number;
  offlineSpells: boolean;
  lostCard: boolean;
  /** Before the day: these app users top up each of their cards by topUpFen through the sandbox gateway. */
  payers?: { as: 'student' | 'parent'; login: string; password: string }[];
  topUpFen?: number;
  log: (line: string) => void;
}

export interface SimulationSummary {
  cards: number;
  terminals: number;
  taps: number;
  accepted: number;
  denied: Record<string, number>;
  uploaded: number;
  acknowledged: number;
  duplicates: number;
  rejected: Record<string, number>;
  flagged: Record<string, number>;
  stillQueued: number;
  syncFailures: number;
  actionsApplied: number;
  toppedUp: number;
  lostCard: null | { cardNoMasked: string; deniedOnline: boolean; acceptedOffline: boolean; flaggedAfterDeny: boolean };
}

export const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number ≥ 1`);
  return n;
};

export function registerTerminalCommands(program: Command): void {
  const terminal = program.command('terminal').description('transit terminals');
  terminal
    .command('simulate')
    .description('simulate cards and terminals for a day of taps against a running server (real HTTP)')
    .option('--url <url>', 'server base URL', process.env.ONECARD_URL ?? 'http://localhost:3000')
    .option('--cards <n>', 'how many of the server’s active cards to use', positiveInt('--cards'), 20)
    .option('--terminals <n>', 'how many terminals (about half rail gates, half bus validators)', positiveInt('--terminals'), 6)
    .option('--operator-token <token>', 'an operator bearer token (or ONECARD_OPERATOR_TOKEN)', process.env.ONECARD_OPERATOR_TOKEN)
    .option('--operator-user <username>', 'operator login, when no token is given', 'operator')
    .option('--operator-password <password>', 'operator password (or ONECARD_OPERATOR_PASSWORD)', process.env.ONECARD_OPERATOR_PASSWORD)
    .option('--state-dir <dir>', 'terminal credentials, tap journals and the cards themselves (their balance and counter live on the card): keep one per server', './data/terminal-sim')
    .option('--trips <n>', 'average trips per card over the day', positiveInt('--trips'), 4)
    .option('--sync-every <minutes>', 'how often (simulated minutes) each terminal talks to the server', positiveInt('--sync-every'), 10)
    .option('--seed <n>', 'random seed', (v) => Number(v), Date.now() % 1_000_000)
    .option('--no-offline', 'no offline spells')
    .option('--no-lost-card', 'skip the lost-card scenario')
    .option('--payer <as:login:password>', 'an app user (parent or student) who tops up their cards first through the sandbox gateway; repeatable', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--top-up <yuan>', 'how much each --payer puts on each of their cards', positiveInt('--top-up'), 50)
    .action(async (o: { url: string; cards: number; terminals: number; operatorToken?: string; operatorUser: string; operatorPassword?: string; stateDir: string; trips: number; syncEvery: number; seed: number; offline: boolean; lostCard: boolean; payer: string[]; topUp: number }) => {
      if (!o.operatorToken && !o.operatorPassword) throw new Error('give --operator-token or --operator-password (or ONECARD_OPERATOR_TOKEN / ONECARD_OPERATOR_PASSWORD)');
      const payers = o.payer.map((p) => {
        const [as, login, ...rest] = p.split(':');
        if ((as !== 'parent' && as !== 'student') || !login || rest.length === 0) throw new Error(`--payer ${p}: write parent:<phone>:<password> or student:<educationId>:<password>`);
        return { as, login, password: rest.join(':') } as const;
      });
      const config = loadConfig();
      const { runSimulation } = await import('../../terminal/simulate.js');
      const summary = await runSimulation({
        url: o.url,
        operatorToken: o.operatorToken,
        operatorUser: o.operatorUser,
        operatorPassword: o.operatorPassword,
        cards: o.cards,
        terminals: o.terminals,
        stateDir: resolve(o.stateDir),
        masterKey: process.env.ONECARD_CARD_MASTER_KEY ?? config.secrets.cardMasterKey,
        denyListSigningKey: config.secrets.denyListSigningKey,
        seed: o.seed,
        tripsPerCard: o.trips,
        syncEveryMinutes: o.syncEvery,
        offlineSpells: o.offline,
        lostCard: o.lostCard,
        payers,
        topUpFen: o.topUp * 100,
        log: (line) => console.log(line),
      }).catch((error: unknown) => {
        // Network and server refusals are for the person running it, not a stack trace.
        if (!(error instanceof Error) || error.name === 'TypeError' || error.name === 'ReferenceError') throw error;
        console.error(`terminal simulate: ${error.message}`);
        process.exitCode = 1;
        return null;
      });
      if (summary && summary.stillQueued > 0) process.exitCode = 2;
    });
}
