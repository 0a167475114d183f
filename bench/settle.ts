/**
 * Transit settlement throughput on PostgreSQL, over real HTTP: preloads CARDS cards with funded
 * purses, signs TAPS taps (TAC per tap with each card's derived key) spread over TERMINALS bus
 * terminals, uploads them in batches of BATCH records (each terminal uploading its batches in
 * order, all terminals at once) to the real server running as a child process, then checks that
 * every tap was settled exactly once and the ledger is clean. Also measures deny-list propagation
 * (a loss report → a terminal polling every POLL_MS sees the card). Prints settled taps/s beside
 * pgbench TPC-B on the same server (scale 10, 4 clients, 15 s; the median of PGBENCH_RUNS runs) and,
 * as the last line, their ratio. Also prints TPC-B with synchronous_commit=off (what the machine's
 * CPU does, without its disk's flush time), the WAL written per tap, the CPU of each side, and what
 * the database alone does with a batch's writes as plain SQL (pgbench running the same statements,
 * rows made in the database): the ceiling the server's share is measured against.
 *
 *   npm run bench:settle        [TAPS=1000000] [CARDS=100000] [BATCH=5000] [TERMINALS=4] [POLL_MS=250] [PGBENCH_RUNS=3] [SERVER_PROFILE=1]
 *
 * Uses BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
 * to create a scratch database, and drops it afterwards.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { denyListPublicKey, verifyDenyList } from '../src/domain/transit-crypto.js';
import { accountCodes, checkLedger } from '../src/modules/ledger/ledger.js';
import { operatorSlug } from '../src/modules/transit/settle-batch.js';
import { openPostgres, type Db } from '../src/platform/db/database.js';
import {
  batchBody, createScratchDatabase, freePort, median, newSecrets, operatorToken, pgbenchBinary, pgbenchRuns, pgbenchTpcb, preloadCards, registerTerminals, startServer, TapSource, uploadBody,
  type RegisteredTerminal,
} from './transit-harness.js';

const TAPS = Number(process.env.TAPS ?? 1_000_000);
const CARDS = Number(process.env.CARDS ?? 100_000);
const BATCH = Number(process.env.BATCH ?? 5000);
const TERMINALS = Number(process.env.TERMINALS ?? 4);
const POLL_MS = Number(process.env.POLL_MS ?? 250);
const PGBENCH_RUNS = Number.isInteger(Number(process.env.PGBENCH_RUNS)) ? Math.max(1, Number(process.env.PGBENCH_RUNS)) : 3;
const FUND_FEN = 100_000;

/**
 * The database's part of settlement as plain set-based SQL, run by pgbench (4 clients, 15 s) on the
 * scratch database after the settlement run: per pgbench transaction one batch of BATCH taps on
 * distinct cards, with the statements settlement sends (the cards' last taps, a ledger
 * transaction, the tap entries, which move their purses, the revenue posting and balance), but
 * with the rows made in the database: no upload, no JSON, no TAC checks, no rows to parse.
 * Returns taps per second.
 */
function databaseAloneTapsPerSecond(url: string, revenueId: string, cardCount: number): number {
  const dir = mkdtempSync(join(tmpdir(), 'onecard-bench-'));
  const script = join(dir, 'settle.sql');
  const batchFen = 100 * BATCH;
  writeFileSync(script, [
    `\\set base random(0, ${Math.max(0, cardCount - BATCH)})`,
    'begin;',
    "select set_config('bench.txn', gen_random_uuid()::text, true), set_config('bench.terminal', gen_random_uuid()::text, true);",
    `select count(*) from bench_cards c cross join lateral (select card_counter, balance_after_fen from transit_taps t where t.card_id = c.card_id and t.outcome = 'settled' order by card_counter desc limit 1) l where c.n > :base and c.n <= :base + ${BATCH};`,
    "insert into ledger_transactions (id, type, idempotency_key, request_hash, metadata, created_at, created_by) values (current_setting('bench.txn')::uuid, 'fare', 'bench:' || current_setting('bench.txn'), 'bench', '{}', now(), 'bench');",
    'insert into transit_taps (terminal_id, seq, batch_row_id, card_no, card_id, card_counter, kind, amount_fen, balance_after_fen, at, applied_action_ids, outcome, code, flags, operator, ' +
      'ledger_transaction_id, shortfall_fen, purse_entry_fen, purse_account_id, settled_at, fare_mode, fare_category, fare_line_type, fare_distance_km, fare_full_fen, fare_fen, fare_rule) ' +
      "select current_setting('bench.terminal')::uuid, c.n - :base, gen_random_uuid(), c.card_no, c.card_id, nextval('bench_counter'), 'bus', 100, 0, now(), '{}', 'settled', null, '{}', 'bjbus', " +
      `current_setting('bench.txn')::uuid, 0, 100, c.purse_id, now(), 'bus', 'student', 'ordinary', 5.0, 200, 100, 'student' from bench_cards c where c.n > :base and c.n <= :base + ${BATCH};`,
    "set local ledger.balance_check = 'statement';",
    `insert into ledger_postings (id, transaction_id, account_id, debit_fen, credit_fen) values (gen_random_uuid(), current_setting('bench.txn')::uuid, '${revenueId}', 0, ${batchFen});`,
    `update ledger_accounts set credits_posted_fen = credits_posted_fen + ${batchFen} where id = '${revenueId}';`,
    'commit;',
  ].join('\n'));
  let output: string;
  try {
    output = execFileSync(pgbenchBinary(), ['-n', '-c', '4', '-j', '2', '-T', '15', '-f', script, url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const tps = /tps = ([\d.]+)/.exec(output)?.[1];
  if (!tps || !/number of failed transactions: 0 /.test(output)) throw new Error(`pgbench (database alone) failed:\n${output}`);
  return Number(tps) * BATCH;
}

const seconds = (ms: number) => (ms / 1000).toFixed(2);

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

/** CPU time (user + system, ms) a local process has used so far, from /proc; 0 where unavailable. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/**
 * CPU used by the server process and by the PostgreSQL backends of the scratch database (the
 * server on this machine): taps/s depends on what else the machine runs, CPU per tap much less.
 */
async function cpuSnapshot(db: Db, serverPid: number): Promise<{ server: number; backends: Map<number, number> }> {
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(db);
  return { server: cpuMs(serverPid), backends: new Map(rows.map((r) => [r.pid, cpuMs(r.pid)])) };
}

/** WAL written so far (bytes, from the insert position) and checkpoints started, server-wide. */
async function walSnapshot(db: Db): Promise<{ bytes: number; checkpoints: number }> {
  const { rows: [version] } = await sql<{ n: number }>`select current_setting('server_version_num')::int as n`.execute(db);
  // PostgreSQL 17 moved the checkpoint counters from pg_stat_bgwriter to pg_stat_checkpointer.
  const checkpoints = version!.n >= 170000
    ? sql`(select num_timed + num_requested from pg_stat_checkpointer)`
    : sql`(select checkpoints_timed + checkpoints_req from pg_stat_bgwriter)`;
  const { rows } = await sql<{ bytes: string; checkpoints: number }>`
    select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text as bytes, ${checkpoints}::int8 as checkpoints`.execute(db);
  return { bytes: Number(rows[0]!.bytes), checkpoints: rows[0]!.checkpoints };
}

/** Loss report (operator, through the API) → a terminal polling its deny-list sees the card, verified. */
async function denyListPropagation(origin: string, operator: string, terminal: RegisteredTerminal, cards: { id: string; cardNo: string }[]): Promise<number[]> {
  const me = (await (await fetch(`${origin}/api/v1/terminal/me`, { headers: { authorization: `Bearer ${terminal.token}` } })).json()) as { denyListPublicKey: string };
  const publicKey = denyListPublicKey(me.denyListPublicKey);
  const poll = async (since: number) => {
    const delta = (await (await fetch(`${origin}/api/v1/terminals/${terminal.id}/deny-list?since=${since}`, { headers: { authorization: `Bearer ${terminal.token}` } })).json()) as { version: number; added: string[]; signature: string };
    if (!verifyDenyList(publicKey, delta)) throw new Error('deny-list signature does not verify');
    return delta;
  };
  let version = (await poll(0)).version;
  const samples: number[] = [];
  for (const card of cards) {
    const reported = fetch(`${origin}/api/v1/cards/${card.id}/loss`, { method: 'POST', headers: { authorization: `Bearer ${operator}` } });
    const started = performance.now();
    const res = await reported;
    if (!res.ok) throw new Error(`loss report: ${res.status} ${await res.text()}`);
    for (;;) {
      const delta = await poll(version);
      version = delta.version;
      if (delta.added.includes(card.cardNo)) break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    samples.push(performance.now() - started);
    // Start the next trial at a random point of the polling cycle.
    await new Promise((r) => setTimeout(r, Math.random() * POLL_MS));
  }
  return samples;
}

async function main(): Promise<void> {
  console.log(`Transit settlement bench: ${TAPS.toLocaleString('en')} taps, ${CARDS.toLocaleString('en')} cards, batches of ${BATCH}, ${TERMINALS} terminals uploading at once`);
  const scratch = await createScratchDatabase('onecard_settle');
  const secrets = newSecrets();
  // SERVER_PROFILE=1 writes the server's CPU profile to .prof/ (open it in Chrome DevTools).
  const nodeArgs = process.env.SERVER_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=.prof'] : [];
  const server = await startServer({ databaseUrl: scratch.url, port: await freePort(), secrets, nodeArgs });
  const handle = openPostgres(scratch.url, 4);
  const db = handle.db;
  try {
    let t0 = performance.now();
    const cards = await preloadCards(db, CARDS, FUND_FEN);
    console.log(`  preloaded ${CARDS.toLocaleString('en')} cards with funded purses in ${seconds(performance.now() - t0)} s`);
    await sql`analyze`.execute(db);
    const operator = await operatorToken(db);
    const terminals = await registerTerminals(server.origin, operator, TERMINALS + 1, 'bjbus');
    const pollingTerminal = terminals.pop()!;

    t0 = performance.now();
    const source = new TapSource(secrets.ONECARD_CARD_MASTER_KEY, cards, FUND_FEN);
    const perTerminal = Math.ceil(TAPS / TERMINALS);
    const queues: string[][] = terminals.map(() => []);
    let expectedFen = 0;
    let made = 0;
    let rng = 0x2545f491;
    const random = () => ((rng = (Math.imul(rng, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let ti = 0; ti < terminals.length; ti++) {
      const terminal = terminals[ti]!;
      for (let seq = 1; seq <= perTerminal && made < TAPS; seq += BATCH) {
        const records = [];
        for (let s = seq; s < seq + BATCH && s <= perTerminal && made < TAPS; s++, made++) {
          const record = source.tap(Math.floor(random() * cards.length), terminal.code, s);
          expectedFen += record.amountFen;
          records.push(record);
        }
        queues[ti]!.push(batchBody(records));
      }
    }
    console.log(`  signed ${made.toLocaleString('en')} taps into ${queues.reduce((n, q) => n + q.length, 0)} batches in ${seconds(performance.now() - t0)} s (terminal side, not timed)`);

    let accepted = 0;
    let flagged = 0;
    let rejected = 0;
    const batchMs: number[] = [];
    const cpuBefore = await cpuSnapshot(db, server.child.pid!);
    const walBefore = await walSnapshot(db);
    const benchCpuBefore = process.cpuUsage();
    const started = performance.now();
    await Promise.all(terminals.map(async (terminal, ti) => {
      for (const body of queues[ti]!) {
        const t = performance.now();
        const answer = await uploadBody(server.origin, terminal, body);
        batchMs.push(performance.now() - t);
        accepted += answer.accepted;
        flagged += answer.flagged.length;
        rejected += answer.rejected.length;
      }
    }));
    const wallMs = performance.now() - started;
    const cpuAfter = await cpuSnapshot(db, server.child.pid!);
    const walAfter = await walSnapshot(db);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const serverCpu = cpuAfter.server - cpuBefore.server;
    let backendCpu = 0;
    for (const [pid, ms] of cpuAfter.backends) backendCpu += ms - (cpuBefore.backends.get(pid) ?? 0);
    const tapsPerSecond = (accepted / wallMs) * 1000;
    batchMs.sort((a, b) => a - b);
    console.log(`  uploaded in ${seconds(wallMs)} s: ${accepted.toLocaleString('en')} settled, ${rejected} rejected, ${flagged} flagged (counter gaps/mismatches of out-of-order uploads); batch p50 ${batchMs[Math.floor(batchMs.length / 2)]!.toFixed(0)} ms, p99 ${batchMs[Math.floor(batchMs.length * 0.99)]!.toFixed(0)} ms`);
    const perTap = (ms: number) => ((ms * 1000) / Math.max(1, accepted)).toFixed(0);
    console.log(`  WAL while uploading: ${((walAfter.bytes - walBefore.bytes) / Math.max(1, accepted)).toFixed(0)} bytes/tap, ${walAfter.checkpoints - walBefore.checkpoints} checkpoints; bench client CPU ${perTap((benchCpu.user + benchCpu.system) / 1000)} µs/tap`);
    console.log(`  CPU while uploading: server ${seconds(serverCpu)} s (${perTap(serverCpu)} µs/tap), PostgreSQL backends ${seconds(backendCpu)} s (${perTap(backendCpu)} µs/tap), together ${perTap(serverCpu + backendCpu)} µs/tap; load average ${loadAverage()}`);

    // Every tap settled once, all money where it should be.
    const { rows } = await sql<{ taps: number; fen: number }>`select count(*)::int8 as taps, coalesce(sum(amount_fen), 0)::int8 as fen from transit_taps where outcome = 'settled'`.execute(db);
    const revenue = await db.selectFrom('ledger_accounts').select(['id', 'credits_posted_fen', 'debits_posted_fen']).where('code', '=', accountCodes.fareRevenue(operatorSlug('bjbus'))).executeTakeFirstOrThrow();
    if (rows[0]!.taps !== TAPS || rows[0]!.fen !== expectedFen || revenue.credits_posted_fen - revenue.debits_posted_fen !== expectedFen) {
      throw new Error(`settlement mismatch: ${rows[0]!.taps} taps / ${rows[0]!.fen} fen stored, revenue ${revenue.credits_posted_fen - revenue.debits_posted_fen}, expected ${TAPS} / ${expectedFen}`);
    }
    t0 = performance.now();
    const check = await checkLedger(db);
    if (check.violations.length > 0) throw new Error(`ledger check: ${check.violations.length} violations`);
    console.log(`  verified: ${TAPS.toLocaleString('en')} taps settled once, revenue = ${(expectedFen / 100).toFixed(2)} yuan, ledger check clean over ${check.counts.entries.toLocaleString('en')} entries (${seconds(performance.now() - t0)} s)`);

    const propagation = await denyListPropagation(server.origin, operator, pollingTerminal, cards.slice(0, 10));
    propagation.sort((a, b) => a - b);
    console.log(`  deny-list propagation (loss report → terminal polling every ${POLL_MS} ms sees it, signature verified): median ${seconds(propagation[Math.floor(propagation.length / 2)]!)} s, max ${seconds(propagation.at(-1)!)} s over ${propagation.length} reports`);

    await server.stop();
    // The settlement run wrote about a gigabyte of WAL: finish its checkpoint first, so that it
    // does not slow the baseline down.
    await sql`checkpoint`.execute(db);
    const tps = pgbenchTpcb(scratch.url, PGBENCH_RUNS);
    // The baseline above is set by how fast this machine's disk flushes (it has measured 2,800 to
    // 11,000 tps on machines of one kind); without the flush wait it measures the CPU, as we do.
    const cpuRuns = pgbenchRuns(scratch.url, { waitForFlush: false, runs: PGBENCH_RUNS });
    const cpuTps = median(cpuRuns);
    console.log(`  pgbench TPC-B with synchronous_commit=off (the CPU, not the disk's flushes), ${cpuRuns.length} runs: ${cpuRuns.map((r) => r.toFixed(0)).join(' / ')} tps, median ${cpuTps.toFixed(0)}; settlement ${(tapsPerSecond / cpuTps).toFixed(1)}x that`);
    // Counters far above any the terminals used, so these taps never replay theirs.
    await sql`create sequence bench_counter start 1000000000`.execute(db);
    await sql`create table bench_cards as
      select row_number() over (order by c.id) as n, c.id as card_id, c.card_no, a.id as purse_id
      from cards c join ledger_accounts a on a.owner_id = c.id and a.code = 'purse:' || c.id::text`.execute(db);
    await sql`create unique index on bench_cards (n)`.execute(db);
    const aloneTapsPerSecond = databaseAloneTapsPerSecond(scratch.url, revenue.id, CARDS);
    console.log(`  the database alone, a batch's statements as plain SQL (pgbench -f, 4 clients, 15 s, rows made in the database): ${aloneTapsPerSecond.toFixed(0)} taps/s, ${(aloneTapsPerSecond / tps).toFixed(1)}x TPC-B`);
    console.log(`settled taps/s ${tapsPerSecond.toFixed(0)} vs pgbench TPC-B ${tps.toFixed(0)} tps: ratio ${(tapsPerSecond / tps).toFixed(1)}x`);
  } finally {
    await server.kill();
    await handle.close();
    await scratch.drop();
  }
}

await main();
