/**
 * Offline tap decision on a terminal holding a 1,000,000-card deny-list: p50 / p99 latency in
 * microseconds of
 *   - the baseline: a bare Set.has on the same 1,000,000-entry Set, timed by the same harness
 *     (so its figures are mostly the harness's own floor),
 *   - decide() for a bus tap (deny-list, validity, balance, distance fare with line type and
 *     card category) and a rail exit (station distance, the card's monthly tier),
 *   - an offline tap in memory: decide + writing the card (counter, balance, HMAC-SHA256 TAC),
 *   - the terminal's whole tap(), which also appends the record to its fsync'd journal.
 * Plus the tight-loop cost of Set.has without per-call timing.
 *
 *   npx tsx bench/tap-decision.ts            (or npm run bench:tap)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { denyListPrivateKey, denyListPublicKey, denyListPublicKeyPem, signedDenyList } from '../src/domain/transit-crypto.js';
import { SimulatedCard } from '../terminal/card-simulator.js';
import { DenyListCache } from '../terminal/deny-list-cache.js';
import { TerminalSimulator, type TapRequest } from '../terminal/terminal-simulator.js';

const DENY_LIST = 1_000_000;
const CARDS = 20_000;
const SAMPLES = 200_000;
const WARMUP = 20_000;
const JOURNAL_SAMPLES = 2_000;
const MASTER = 'bench-card-master-key-'.padEnd(40, 'x');
const SEED = '42'.repeat(32);

const percentile = (sorted: Float64Array, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Times each call separately with hrtime; returns microseconds per call, sorted. */
function sample(count: number, op: (i: number) => unknown): Float64Array {
  for (let i = 0; i < Math.min(WARMUP, count); i += 1) op(i);
  const out = new Float64Array(count);
  let sink = 0;
  for (let i = 0; i < count; i += 1) {
    const start = process.hrtime.bigint();
    const r = op(i);
    out[i] = Number(process.hrtime.bigint() - start) / 1000;
    if (r) sink += 1;
  }
  if (sink < 0) console.log(sink);
  return out.sort();
}

function line(label: string, sorted: Float64Array): void {
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  console.log(`  ${label.padEnd(50)} p50 ${percentile(sorted, 50).toFixed(2).padStart(8)} µs   p99 ${percentile(sorted, 99).toFixed(2).padStart(8)} µs   mean ${mean.toFixed(2).padStart(8)} µs`);
}

async function main(): Promise<void> {
  const started = Date.now();
  const denied = Array.from({ length: DENY_LIST }, (_, i) => String(80_000_000_000 + i));
  const signer = denyListPrivateKey(SEED);
  const cache = new DenyListCache(denyListPublicKey(denyListPublicKeyPem(SEED)));
  const snapshot = signedDenyList(signer, { version: 1, fromVersion: 0, full: true, added: denied, removed: [], issuedAt: new Date().toISOString() });
  const loadStart = Date.now();
  const outcome = cache.apply(snapshot);
  if (!outcome.applied) throw new Error(`snapshot refused: ${outcome.reason}`);
  const loadMs = Date.now() - loadStart;

  // Tapping cards: 1 in 100 is on the deny-list, the rest are good cards with money.
  const cards = Array.from({ length: CARDS }, (_, i) =>
    new SimulatedCard(MASTER, { cardNo: i % 100 === 0 ? denied[i * 37]! : String(20_000_000_000 + i), balanceFen: 1_000_000_000, validUntil: '2099-09-30', category: i % 3 === 0 ? 'ordinary' : 'student' }),
  );
  const probes = cards.map((c) => c.cardNo);
  const dir = mkdtempSync(join(tmpdir(), 'onecard-bench-tap-'));
  let nowMs = Date.parse('2026-11-23T01:00:00Z');
  const now = () => new Date(nowMs);
  const make = (kind: 'bus_validator' | 'rail_gate', station?: string) =>
    new TerminalSimulator({ terminalId: randomUUID(), code: `${kind}-${station ?? 'x'}`, kind, station, lineType: 'ordinary', queueFile: join(dir, `${kind}-${station ?? 'x'}.jsonl`), denyList: cache, now, newBatchId: randomUUID });
  const bus = make('bus_validator');
  const entry = make('rail_gate', 'zhongguancun');
  const exit = make('rail_gate', 'guomao');
  for (const c of cards) {
    c.setPendingEntry({ station: 'zhongguancun', terminalCode: entry.code, at: now().toISOString() });
  }
  const busTap: TapRequest = { kind: 'bus', distanceKm: 12.5 };
  const at = now();

  console.log(`Tap decision bench: deny-list of ${DENY_LIST.toLocaleString('en')} cards (signed snapshot verified and loaded in ${loadMs} ms), ${CARDS.toLocaleString('en')} cards tapping, ${SAMPLES.toLocaleString('en')} samples each, Node ${process.version}`);

  const set = new Set(denied);
  line('baseline: Set.has (same harness)', sample(SAMPLES, (i) => set.has(probes[i % CARDS]!)));
  line('cache.has (deny-list lookup only)', sample(SAMPLES, (i) => cache.has(probes[i % CARDS]!)));
  line('decide(): bus tap', sample(SAMPLES, (i) => bus.decide(cards[i % CARDS]!, busTap, at).ok));
  line('decide(): rail exit (distance + month tier)', sample(SAMPLES, (i) => exit.decide(cards[i % CARDS]!, { kind: 'rail_exit' }, at).ok));
  let seq = 0;
  line('offline tap in memory: decide + card write + TAC', sample(SAMPLES, (i) => {
    const card = cards[i % CARDS]!;
    const d = bus.decide(card, busTap, at);
    if (!d.ok) return false;
    seq += 1;
    return card.debit({ terminalCode: bus.code, seq, kind: d.priced.kind, amountFen: d.priced.amountFen, at, fare: d.priced.fare });
  }));
  line(`tap() with fsync'd journal (${JOURNAL_SAMPLES.toLocaleString('en')} samples)`, sample(JOURNAL_SAMPLES, (i) => bus.tap(cards[(i % (CARDS / 100)) * 100 + 1]!, busTap).ok));

  const loops = 10_000_000;
  let hits = 0;
  const loopStart = process.hrtime.bigint();
  for (let i = 0; i < loops; i += 1) if (set.has(probes[i % CARDS]!)) hits += 1;
  const nsPerOp = Number(process.hrtime.bigint() - loopStart) / loops;
  console.log(`  tight loop Set.has, no per-call timing:             ${nsPerOp.toFixed(1)} ns per lookup (${hits.toLocaleString('en')} hits in ${loops.toLocaleString('en')})`);
  nowMs += 1;
  for (const t of [bus, entry, exit]) t.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
