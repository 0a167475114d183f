/**
 * A university canteen at lunch, on PostgreSQL, over real HTTP: CARDS campus cards with funded
 * purses, POS canteen windows (terminals of kind `pos`, each serving one customer at a time, all at
 * once) charging PURCHASES purchases of ¥8–¥20 read from the card, to the real server running as a
 * child process. Each purchase is its own request and transaction (the card locked, the daily
 * limit asked, purse → canteen in the ledger, the purchase row, the audit), as at a real counter:
 * unlike transit taps they cannot be batched, since the student waits for the beep.
 *
 * Prints purchases/s and the p50/p99 a window waits, beside pgbench TPC-B on the same server
 * (scale 10, 4 clients, 15 s, the median of PGBENCH_RUNS runs) and their ratio as the last line,
 * then checks that the canteen's tills (one account per window) hold exactly what was charged and
 * the ledger is clean.
 *
 *   npx tsx bench/pos-rush.ts        [PURCHASES=20000] [CARDS=5000] [POS=16] [PGBENCH_RUNS=3] [SERVER_PROFILE=1]
 *
 * Uses BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
 * to create a scratch database, and drops it afterwards.
 */
import { performance } from 'node:perf_hooks';
import { accountCodes, balanceOf, checkLedger, findAccountByCode } from '../src/modules/ledger/ledger.js';
import { operatorSlug } from '../src/modules/transit/settle-batch.js';
import { openPostgres, type Db } from '../src/platform/db/database.js';
import {
  campusCards, createScratchDatabase, freePort, newSecrets, operatorToken, pgbenchTpcb, preloadCards, registerTerminals, startServer, type RegisteredTerminal,
} from './transit-harness.js';

const PURCHASES = Number(process.env.PURCHASES ?? 20_000);
const CARDS = Number(process.env.CARDS ?? 5_000);
const POS = Number(process.env.POS ?? 16);
const PGBENCH_RUNS = Number.isInteger(Number(process.env.PGBENCH_RUNS)) ? Math.max(1, Number(process.env.PGBENCH_RUNS)) : 3;
const CANTEEN = '第一食堂';
/** Enough for every purchase a card can get here, so none is refused for its balance. */
const FUND_FEN = 200_000;

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** One window's queue: purchases one after another, each waiting for its answer. */
async function serveQueue(origin: string, pos: RegisteredTerminal, cardNos: readonly string[], take: () => number | null, latenciesMs: Float64Array): Promise<number> {
  let chargedFen = 0;
  for (let i = take(); i !== null; i = take()) {
    const amountFen = 800 + ((i * 7919) % 1201);
    const started = performance.now();
    const res = await fetch(`${origin}/api/v1/terminals/${pos.id}/purchases`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pos.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ purchaseId: `lunch-${String(i).padStart(8, '0')}`, cardNo: cardNos[i % cardNos.length], amountFen }),
    });
    const body = await res.text();
    latenciesMs[i] = performance.now() - started;
    if (res.status !== 201) throw new Error(`purchase ${i}: ${res.status} ${body.slice(0, 300)}`);
    chargedFen += amountFen;
  }
  return chargedFen;
}

/** What the canteen took in: the sum of its windows' tills (accountCodes.till). */
async function canteenTakingsFen(db: Db, windows: readonly RegisteredTerminal[]): Promise<number> {
  let fen = 0;
  for (const pos of windows) fen += (await balanceOf(db, (await findAccountByCode(db, accountCodes.till(operatorSlug(CANTEEN), pos.id))).id)).availableFen;
  return fen;
}

async function main(): Promise<void> {
  const scratch = await createScratchDatabase('onecard_pos');
  const db = openPostgres(scratch.url, 4).db;
  // SERVER_PROFILE=1 writes the server's CPU profile to .prof/ (open it in Chrome DevTools).
  const nodeArgs = process.env.SERVER_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=.prof'] : [];
  const server = await startServer({ databaseUrl: scratch.url, port: await freePort(), secrets: newSecrets(), nodeArgs });
  try {
    console.log(`Canteen rush bench: ${PURCHASES} purchases at ${POS} POS windows over ${CARDS} campus cards, PostgreSQL at ${new URL(scratch.url).host}`);
    const cards = await preloadCards(db, CARDS, FUND_FEN, undefined, campusCards);
    const windows = await registerTerminals(server.origin, await operatorToken(db), POS, CANTEEN, { kind: 'pos', schoolId: cards.schoolId });
    const cardNos = cards.map((c) => c.cardNo);
    const latenciesMs = new Float64Array(PURCHASES);
    let next = 0;
    const take = () => (next < PURCHASES ? next++ : null);

    const started = performance.now();
    const charged = await Promise.all(windows.map((pos) => serveQueue(server.origin, pos, cardNos, take, latenciesMs)));
    const seconds = (performance.now() - started) / 1000;
    const perSecond = PURCHASES / seconds;
    const sorted = latenciesMs.sort();
    console.log(`  ${PURCHASES} purchases in ${seconds.toFixed(1)} s: ${perSecond.toFixed(0)} purchases/s; a window waits p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`);

    const chargedFen = charged.reduce((a, b) => a + b, 0);
    const heldFen = await canteenTakingsFen(db, windows);
    if (heldFen !== chargedFen) throw new Error(`the canteen's tills hold ${heldFen} fen, but ${chargedFen} were charged`);
    const ledger = await checkLedger(db);
    if (ledger.violations.length > 0) throw new Error(`ledger check: ${JSON.stringify(ledger.violations.slice(0, 5))}`);
    console.log(`  the canteen's tills hold exactly the ${(chargedFen / 100).toFixed(2)} yuan charged; ledger check clean`);

    const tps = pgbenchTpcb(scratch.url, PGBENCH_RUNS);
    console.log(`canteen purchases/s ${perSecond.toFixed(0)} vs pgbench TPC-B ${tps.toFixed(0)} tps: ratio ${(perSecond / tps).toFixed(2)}x`);
  } finally {
    await server.stop();
    await db.destroy();
    await scratch.drop();
  }
}

await main();
