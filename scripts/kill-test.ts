/**
 * Kill test: terminals upload signed taps to the real server (a child process on PostgreSQL);
 * the server is killed with SIGKILL while uploads are in flight, restarted, killed again…; the
 * terminals keep retrying (they drop records only once acknowledged, as real terminals do). At
 * the end: no tap lost, none settled twice, every purse and the fare revenue exactly right, and
 * `onecard ledger check` clean.
 *
 *   npx tsx scripts/kill-test.ts   [CARDS=5000] [TERMINALS=4] [TAPS_PER_TERMINAL=10000] [BATCH=1000] [KILLS=3]
 *
 * Uses BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
 * to create a scratch database, and drops it afterwards. test/db/transit-kill.test.ts runs it small.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { accountCodes, checkLedger, describeViolation } from '../src/modules/ledger/ledger.js';
import type { TapRecord } from '../src/modules/transit/protocol.js';
import { operatorSlug } from '../src/modules/transit/settle-batch.js';
import { openPostgres } from '../src/platform/db/database.js';
import {
  batchBody, createScratchDatabase, freePort, newSecrets, operatorToken, preloadCards, registerTerminals, startServer, TapSource, uploadBody, type ServerProcess,
} from '../bench/transit-harness.js';

export interface KillTestOptions {
  cards: number;
  terminals: number;
  tapsPerTerminal: number;
  batch: number;
  kills: number;
  log?: (line: string) => void;
}

export interface KillTestResult {
  taps: number;
  settled: number;
  kills: number;
  uploadsFailed: number;
  duplicatesAnswered: number;
  ledgerViolations: string[];
  problems: string[];
}

const FUND_FEN = 50_000;

export async function runKillTest(options: KillTestOptions): Promise<KillTestResult> {
  const log = options.log ?? (() => {});
  const scratch = await createScratchDatabase('onecard_kill');
  const secrets = newSecrets();
  const port = await freePort();
  let server: ServerProcess = await startServer({ databaseUrl: scratch.url, port, secrets });
  const handle = openPostgres(scratch.url, 2);
  try {
    const cards = await preloadCards(handle.db, options.cards, FUND_FEN);
    const operator = await operatorToken(handle.db);
    const terminals = await registerTerminals(server.origin, operator, options.terminals, 'kill-test');
    const source = new TapSource(secrets.ONECARD_CARD_MASTER_KEY, cards, FUND_FEN);
    const spent = new Map<number, number>();
    let rng = 0x1234567;
    const random = () => ((rng = (Math.imul(rng, 1103515245) + 12345) >>> 0) / 2 ** 32);
    // The terminals' queues: every record, in seq order (a real terminal persists them before uploading).
    const queues: TapRecord[][] = terminals.map((terminal) =>
      Array.from({ length: options.tapsPerTerminal }, (_, i) => {
        const index = Math.floor(random() * cards.length);
        const record = source.tap(index, terminal.code, i + 1);
        spent.set(index, (spent.get(index) ?? 0) + record.amountFen);
        return record;
      }),
    );
    const expectedFen = [...spent.values()].reduce((a, b) => a + b, 0);
    log(`${cards.length} cards, ${terminals.length} terminals × ${options.tapsPerTerminal} taps (${(expectedFen / 100).toFixed(2)} yuan), batches of ${options.batch}, ${options.kills} kills`);

    let inFlight = 0;
    let uploadsFailed = 0;
    let duplicatesAnswered = 0;
    const acked = terminals.map(() => 0);
    const problems: string[] = [];

    const uploader = async (ti: number) => {
      const terminal = terminals[ti]!;
      const queue = queues[ti]!;
      let attempt = 0;
      while (acked[ti]! < queue.length) {
        // Everything not yet acknowledged, from the oldest: after a crash that re-sends what the server may already hold.
        const records = queue.slice(acked[ti], acked[ti]! + options.batch);
        inFlight++;
        try {
          const answer = await uploadBody(server.origin, terminal, batchBody(records), 30_000);
          if (answer.rejected.length > 0) problems.push(`${terminal.code}: rejected ${JSON.stringify(answer.rejected.slice(0, 3))}`);
          if (answer.ackSeq < acked[ti]!) problems.push(`${terminal.code}: ackSeq went back from ${acked[ti]} to ${answer.ackSeq}`);
          duplicatesAnswered += answer.duplicates;
          acked[ti] = answer.ackSeq;
          attempt = 0;
        } catch {
          uploadsFailed++;
          attempt++;
          await new Promise((r) => setTimeout(r, Math.min(2000, 100 * 2 ** Math.min(attempt, 5))));
        } finally {
          inFlight--;
        }
      }
    };

    const killer = async () => {
      for (let k = 0; k < options.kills; k++) {
        // Let some work happen, then strike while a batch is being settled.
        const before = acked.reduce((a, b) => a + b, 0);
        const progressDeadline = Date.now() + 60_000;
        while (acked.reduce((a, b) => a + b, 0) < before + options.batch && Date.now() < progressDeadline && acked.some((a, i) => a < queues[i]!.length)) await new Promise((r) => setTimeout(r, 5));
        const deadline = Date.now() + 10_000;
        while (inFlight === 0 && Date.now() < deadline && acked.some((a, i) => a < queues[i]!.length)) await new Promise((r) => setTimeout(r, 5));
        if (acked.every((a, i) => a >= queues[i]!.length)) {
          log(`kill ${k + 1}: all uploads finished before it`);
          return k;
        }
        await new Promise((r) => setTimeout(r, random() * 300));
        const progress = acked.reduce((a, b) => a + b, 0);
        await server.kill();
        log(`kill ${k + 1}: SIGKILL with ${inFlight} uploads in flight, ${progress} taps acknowledged so far`);
        const t0 = performance.now();
        server = await startServer({ databaseUrl: scratch.url, port, secrets });
        log(`  restarted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      }
      return options.kills;
    };

    const [kills] = await Promise.all([killer(), ...terminals.map((_, ti) => uploader(ti))]);

    const { rows } = await sql<{ settled: number; stored: number; fen: number; distinct: number }>`
      select count(*) filter (where outcome = 'settled')::int8 as settled, count(*)::int8 as stored,
             coalesce(sum(amount_fen) filter (where outcome = 'settled'), 0)::int8 as fen,
             count(distinct (card_id, card_counter)) filter (where outcome = 'settled')::int8 as distinct
      from transit_taps`.execute(handle.db);
    const totals = rows[0]!;
    const taps = options.terminals * options.tapsPerTerminal;
    if (totals.stored !== taps) problems.push(`${totals.stored} tap rows stored for ${taps} taps`);
    if (totals.settled !== taps || totals.distinct !== taps) problems.push(`${totals.settled} settled (${totals.distinct} distinct card counters) for ${taps} taps`);
    if (totals.fen !== expectedFen) problems.push(`settled ${totals.fen} fen, expected ${expectedFen}`);
    const revenue = await handle.db.selectFrom('ledger_accounts').select(['credits_posted_fen', 'debits_posted_fen']).where('code', '=', accountCodes.fareRevenue(operatorSlug('kill-test'))).executeTakeFirst();
    const revenueFen = revenue ? revenue.credits_posted_fen - revenue.debits_posted_fen : 0;
    if (revenueFen !== expectedFen) problems.push(`fare revenue ${revenueFen} fen, expected ${expectedFen}`);
    const { rows: wrongPurses } = await sql<{ n: number }>`
      select count(*)::int8 as n from jsonb_to_recordset(${JSON.stringify(cards.map((c, i) => ({ id: c.id, want: FUND_FEN - (spent.get(i) ?? 0) })))}::jsonb) as v(id uuid, want bigint)
      join ledger_accounts a on a.code = 'purse:' || v.id::text
      where a.credits_posted_fen - a.debits_posted_fen <> v.want`.execute(handle.db);
    if (wrongPurses[0]!.n > 0) problems.push(`${wrongPurses[0]!.n} purses with a wrong balance`);
    const check = await checkLedger(handle.db);
    return { taps, settled: totals.settled, kills, uploadsFailed, duplicatesAnswered, ledgerViolations: check.violations.map(describeViolation), problems };
  } finally {
    await server.kill();
    await handle.close();
    await scratch.drop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  const result = await runKillTest({
    cards: Number(process.env.CARDS ?? 5000),
    terminals: Number(process.env.TERMINALS ?? 4),
    tapsPerTerminal: Number(process.env.TAPS_PER_TERMINAL ?? 10_000),
    batch: Number(process.env.BATCH ?? 1000),
    kills: Number(process.env.KILLS ?? 3),
    log: (line) => console.log(`  ${line}`),
  });
  console.log(`  ${result.taps} taps, ${result.settled} settled, ${result.kills} kills, ${result.uploadsFailed} uploads failed and retried, ${result.duplicatesAnswered} records answered as duplicates on re-upload`);
  for (const p of [...result.problems, ...result.ledgerViolations]) console.log(`  PROBLEM: ${p}`);
  const ok = result.problems.length === 0 && result.ledgerViolations.length === 0 && result.settled === result.taps;
  console.log(ok ? `kill test passed in ${((performance.now() - started) / 1000).toFixed(1)} s: no tap lost, none settled twice, ledger check clean` : 'kill test FAILED');
  process.exit(ok ? 0 : 1);
}
