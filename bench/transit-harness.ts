/**
 * What the settlement bench (bench/settle.ts) and the kill test (scripts/kill-test.ts) share: a
 * scratch PostgreSQL database, the real server as a child process (`onecard serve`), cards preloaded
 * in bulk with funded purses (balanced ledger transactions through the ledger's postBatch), terminals
 * registered and signed in through the API, and taps signed with the cards' derived keys.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import pg from 'pg';
import { generateCardNo } from '../src/domain/card-numbers.js';
import { computeTac, deriveCardKey } from '../src/domain/transit-crypto.js';
import { accountCodes, ensureAccount, postBatch, type BatchTransactionInput } from '../src/modules/ledger/ledger.js';
import type { TapRecord } from '../src/modules/transit/protocol.js';
import { createSession } from '../src/platform/auth.js';
import { systemActor } from '../src/platform/audit.js';
import { systemClock } from '../src/platform/clock.js';
import type { Db } from '../src/platform/db/database.js';
import { newId } from '../src/platform/ids.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const adminDatabaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function createScratchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminDatabaseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const a = new pg.Client({ connectionString: adminDatabaseUrl });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

export interface ServerSecrets {
  ONECARD_SESSION_SECRET: string;
  ONECARD_CARD_MASTER_KEY: string;
  ONECARD_PIN_PEPPER: string;
  ONECARD_SANDBOX_GATEWAY_KEY: string;
  ONECARD_DENY_LIST_SIGNING_KEY: string;
}

export function newSecrets(): ServerSecrets {
  const s = () => randomBytes(32).toString('hex');
  return { ONECARD_SESSION_SECRET: s(), ONECARD_CARD_MASTER_KEY: s(), ONECARD_PIN_PEPPER: s(), ONECARD_SANDBOX_GATEWAY_KEY: s(), ONECARD_DENY_LIST_SIGNING_KEY: s() };
}

export interface ServerProcess {
  origin: string;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
  kill(): Promise<void>;
}

/** Starts `onecard serve --no-demo` from the TypeScript sources on PostgreSQL and waits until /readyz answers. */
export async function startServer(options: { databaseUrl: string; port: number; secrets: ServerSecrets; quiet?: boolean; nodeArgs?: readonly string[] }): Promise<ServerProcess> {
  // nodeArgs: e.g. ['--cpu-prof'] to profile the server (not allowed in NODE_OPTIONS).
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', join(repoRoot, 'src/cli/main.ts'), 'serve', '--no-demo'], {
    cwd: repoRoot,
    env: {
      ...process.env, ...options.secrets, NODE_ENV: 'production', LOG_LEVEL: 'error', DATABASE_URL: options.databaseUrl, PORT: String(options.port), HOST: '127.0.0.1',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'onecard-transit-')), BODY_LIMIT_BYTES: String(8 * 1024 * 1024),
    },
    stdio: ['ignore', options.quiet === false ? 'inherit' : 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 120_000;
  let dead = false;
  void exited.then(() => (dead = true));
  for (;;) {
    if (dead) throw new Error('the server exited while starting');
    try {
      const res = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('the server did not become ready within 120 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    origin,
    child,
    exited,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Which cards preloadCards makes: K-12 cards of a middle school (transit), or a university's campus cards (canteens). */
export interface PreloadKind {
  product: 'k12_card' | 'campus_card';
  stage: 'middle' | 'university';
}
export const k12Cards: PreloadKind = { product: 'k12_card', stage: 'middle' };
export const campusCards: PreloadKind = { product: 'campus_card', stage: 'university' };

export interface PreloadedCard {
  id: string;
  cardNo: string;
}

/**
 * `count` active K-12 cards (one per student), their first status event, and purses funded with
 * `fundFen` each: balanced top-up transactions through the ledger's bulk poster, so the ledger
 * check stays clean.
 */
export async function preloadCards(db: Db, count: number, fundFen: number, onProgress?: (done: number) => void, kind: PreloadKind = k12Cards): Promise<PreloadedCard[] & { schoolId: string }> {
  const schoolId = newId();
  const { product, stage } = kind;
  await db.insertInto('schools').values({ id: schoolId, code: `BENCH-${randomBytes(3).toString('hex')}`, name: '基准测试学校', stage, district: null }).execute();
  const seen = new Set<string>();
  const cards: PreloadedCard[] = [];
  while (cards.length < count) {
    const cardNo = generateCardNo('beijing_tong');
    if (seen.has(cardNo)) continue;
    seen.add(cardNo);
    cards.push({ id: newId(), cardNo });
  }
  const clearing = await ensureAccount(db, systemClock, { code: accountCodes.clearing('bench'), type: 'gateway_clearing', actor: systemActor });
  const CHUNK = 10_000;
  const baseEducationId = 30_000_000;
  for (let start = 0; start < count; start += CHUNK) {
    const slice = cards.slice(start, start + CHUNK).map((c, i) => ({ ...c, studentId: newId(), eid: String(baseEducationId + start + i), purseId: newId() }));
    const rows = JSON.stringify(slice);
    await db.transaction().execute(async (tx) => {
      await sql`
        insert into students (id, education_id, name, gender, birth_date, id_number, school_id, stage, password_hash)
        select "studentId", eid, '学生', 'F', '2012-05-20', '110108201205201234', ${schoolId}::uuid, ${stage}, 'x'
        from jsonb_to_recordset(${rows}::jsonb) as v("studentId" uuid, eid text)`.execute(tx);
      await sql`
        insert into cards (id, card_no, product, student_id, school_id, medium, stage, status, valid_until, activated_at, status_changed_at, created_at, updated_at)
        select id, "cardNo", ${product}, "studentId", ${schoolId}::uuid, 'physical', ${stage}, 'active', '2030-08-31', now(), now(), now(), now()
        from jsonb_to_recordset(${rows}::jsonb) as v(id uuid, "cardNo" text, "studentId" uuid)`.execute(tx);
      await sql`select pg_advisory_xact_lock(hashtextextended('cards:status-events', 0))`.execute(tx);
      await sql`
        insert into card_status_events (version, card_id, card_no, from_status, to_status, denied, reason, actor_role, actor_id, at)
        select (select coalesce(max(version), 0) from card_status_events) + row_number() over (), id, "cardNo", null, 'active', false, 'bench', 'system', null, now()
        from jsonb_to_recordset(${rows}::jsonb) as v(id uuid, "cardNo" text)`.execute(tx);
      await sql`
        insert into ledger_accounts (id, code, type, owner_id, floor_fen, debits_must_not_exceed_credits, created_at)
        select "purseId", 'purse:' || id::text, 'purse', id, 0, true, now()
        from jsonb_to_recordset(${rows}::jsonb) as v(id uuid, "purseId" uuid)`.execute(tx);
      if (fundFen > 0) {
        const transactions: BatchTransactionInput[] = [];
        for (let i = 0; i < slice.length; i += 64) {
          const group = slice.slice(i, i + 64);
          transactions.push({
            idempotencyKey: `bench-fund:${group[0]!.id}`,
            type: 'top_up',
            postings: [{ accountId: clearing.id, debitFen: fundFen * group.length }, ...group.map((c) => ({ accountId: c.purseId, creditFen: fundFen }))],
            memo: 'bench preload',
          });
        }
        await postBatch(tx, systemClock, { transactions, actor: systemActor, audit: { action: 'bench.preload', entityType: 'bench', entityId: null } });
      }
    });
    onProgress?.(Math.min(count, start + CHUNK));
  }
  return Object.assign(cards, { schoolId });
}

/** An operator signed in directly (hashing a password is not what is measured). */
export async function operatorToken(db: Db): Promise<string> {
  const id = newId();
  await db.insertInto('staff_users').values({ id, username: `bench-op-${randomBytes(3).toString('hex')}`, display_name: '基准操作员', role: 'operator', school_id: null, password_hash: 'x' }).execute();
  return (await createSession(db, systemClock, { role: 'operator', subjectId: id, loginKind: 'staff' }, 600)).token;
}

export interface RegisteredTerminal {
  id: string;
  code: string;
  secret: string;
  token: string;
}

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Bus validators by default; a university's canteen POS with `{ kind: 'pos', schoolId }`. */
export async function registerTerminals(origin: string, operator: string, count: number, operatorName = 'bjbus', where: { kind: 'bus_validator' | 'pos'; schoolId?: string } = { kind: 'bus_validator' }): Promise<RegisteredTerminal[]> {
  const out: RegisteredTerminal[] = [];
  const tag = randomBytes(2).toString('hex');
  for (let i = 0; i < count; i++) {
    const code = `${where.kind === 'pos' ? 'POS' : 'BUS'}-${tag}-${i}`;
    const { secret } = await postJson<{ secret: string }>(`${origin}/api/v1/admin/terminals`, { code, kind: where.kind, operator: operatorName, location: null, schoolId: where.schoolId ?? null }, operator);
    const session = await postJson<{ token: string; terminalId: string }>(`${origin}/api/v1/terminal-sessions`, { code, secret });
    out.push({ id: session.terminalId, code, secret, token: session.token });
  }
  return out;
}

export async function terminalLogin(origin: string, terminal: RegisteredTerminal): Promise<void> {
  const session = await postJson<{ token: string }>(`${origin}/api/v1/terminal-sessions`, { code: terminal.code, secret: terminal.secret });
  terminal.token = session.token;
}

/**
 * Cards as they are in riders' pockets: counter and balance advance with every tap, and every
 * tap is signed with the card key (HMAC of the card number under the issuer master key).
 */
export class TapSource {
  private readonly counters: Int32Array;
  private readonly balances: Float64Array;
  private readonly keys: (Buffer | undefined)[];
  private clockMs = Date.parse('2026-11-23T00:00:00Z');

  constructor(
    private readonly masterKey: string,
    readonly cards: readonly PreloadedCard[],
    fundFen: number,
  ) {
    this.counters = new Int32Array(cards.length);
    this.balances = new Float64Array(cards.length).fill(fundFen);
    this.keys = new Array<Buffer | undefined>(cards.length);
  }

  /** The next tap of card `index` at a terminal; bus fares between ¥0.50 and ¥1.50 (student rate). */
  tap(index: number, terminalCode: string, seq: number): TapRecord {
    const card = this.cards[index]!;
    const key = (this.keys[index] ??= deriveCardKey(this.masterKey, card.cardNo));
    const amountFen = 50 * (1 + (seq % 3));
    const cardCounter = ++this.counters[index]!;
    const balanceAfterFen = (this.balances[index]! -= amountFen);
    this.clockMs += 37;
    const at = new Date(this.clockMs).toISOString();
    const tac = computeTac(key, { terminalCode, cardNo: card.cardNo, cardCounter, amountFen, balanceAfterFen, at });
    return {
      seq, cardNo: card.cardNo, cardCounter, kind: 'bus', amountFen, balanceAfterFen, at, tac, appliedActionIds: [],
      fare: { mode: 'bus', category: 'student', lineType: 'ordinary', distanceKm: 5 + (seq % 3) * 5, fullFareFen: amountFen * 4, fareFen: amountFen, rule: 'BUS_STUDENT' },
    };
  }
}

export function batchBody(records: TapRecord[]): string {
  return JSON.stringify({ batchId: randomUUID(), records });
}

export interface UploadAnswer {
  ackSeq: number;
  accepted: number;
  duplicates: number;
  rejected: { seq: number; code: string }[];
  flagged: { seq: number; code: string }[];
}

export async function uploadBody(origin: string, terminal: RegisteredTerminal, body: string, timeoutMs = 120_000): Promise<UploadAnswer> {
  const res = await fetch(`${origin}/api/v1/terminals/${terminal.id}/batches`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${terminal.token}` }, body, signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`upload ${terminal.code}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as UploadAnswer;
}

/** pgbench's TPC-B tables at scale 10, the yardstick's data, in the scratch database. */
export function pgbenchInit(url: string): void {
  execFileSync(pgbenchBinary(), ['-i', '-s', '10', '-q', url], { stdio: 'ignore' });
}

/**
 * The baseline the benches print their figure beside: pgbench TPC-B (scale 10, 4 clients, 15 s)
 * on the same server, initialised here; prints every run and returns the median tps.
 */
export function pgbenchTpcb(url: string, runs: number): number {
  pgbenchInit(url);
  const tps = pgbenchRuns(url, { waitForFlush: true, runs });
  console.log(`  pgbench TPC-B (-s 10, -c 4 -j 2 -T 15) on the same server, ${tps.length} runs: ${tps.map((r) => r.toFixed(0)).join(' / ')} tps, median ${median(tps).toFixed(0)}`);
  return median(tps);
}

/** The middle of sorted runs (the lower middle of an even count). */
export const median = (sorted: number[]) => sorted[Math.floor((sorted.length - 1) / 2)]!;

export function pgbenchBinary(): string {
  const debian = '/usr/lib/postgresql/15/bin/pgbench';
  return existsSync(debian) ? debian : 'pgbench';
}

/**
 * TPC-B tps of `runs` runs, sorted. TPC-B commits every transaction, so it waits
 * on the disk's flushes and varies far more between runs (and between machines) than settlement
 * does; the median of a few runs is the steadier baseline. With `waitForFlush: false` the runs use
 * synchronous_commit=off: TPC-B then measures the CPU, as settlement (one commit per 5,000 taps)
 * mostly does.
 */
export function pgbenchRuns(url: string, { waitForFlush, runs: count }: { waitForFlush: boolean; runs: number }): number[] {
  const binary = pgbenchBinary();
  const env = waitForFlush ? process.env : { ...process.env, PGOPTIONS: `${process.env.PGOPTIONS ?? ''} -c synchronous_commit=off` };
  const runs: number[] = [];
  for (let i = 0; i < count; i++) {
    const output = execFileSync(binary, ['-c', '4', '-j', '2', '-T', '15', url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env });
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1] ?? /tps = ([\d.]+)/.exec(output)?.[1];
    if (!tps) throw new Error(`pgbench printed no tps:\n${output}`);
    runs.push(Number(tps));
  }
  return runs.sort((a, b) => a - b);
}
