/**
 * The payment round trip on PostgreSQL, over real HTTP: a top-up order is placed, sent to the
 * gateway (Alipay and WeChat Pay alternately, through the sandbox gateway), paid at the cashier,
 * and the gateway's signed notification is delivered to Onecard, which credits the purse. Runs
 * at a fixed concurrency and prints the round trip's p50/p99 latency and throughput, the
 * notification step alone, and beside them PostgreSQL's own TPC-B figure on the same server
 * (`pgbench -i -s 10`, then `pgbench -c 4 -j 2 -T 15`) as the yardstick.
 *
 *   npx tsx bench/payments-roundtrip.ts     [ROUND_TRIPS=2000] [CONCURRENCY=16]
 *
 * Uses BENCH_DATABASE_URL, else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres
 * to create a scratch database, and drops it afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pino } from 'pino';
import { issueCard } from '../src/modules/cards/issue-card.js';
import { deliverNotification } from '../src/modules/payments/sandbox/sandbox-notifications.js';
import { actAtCashier } from '../src/modules/payments/sandbox/sandbox-payer.js';
import { createSession } from '../src/platform/auth.js';
import { systemActor } from '../src/platform/audit.js';
import { openRuntime } from '../src/platform/boot.js';
import { loadConfig } from '../src/platform/config.js';
import { openPostgres } from '../src/platform/db/database.js';
import { buildServer } from '../src/platform/http/server.js';
import { newId } from '../src/platform/ids.js';

const ROUND_TRIPS = Number(process.env.ROUND_TRIPS ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const STUDENTS = 200;
const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function withScratchDatabase(work: (url: string, name: string) => Promise<void>): Promise<void> {
  const name = `onecard_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    await work(url.toString(), name);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

function report(label: string, samplesMs: number[], wallMs: number): void {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const rate = (samplesMs.length / wallMs) * 1000;
  console.log(`  ${label.padEnd(34)} p50 ${percentile(sorted, 50).toFixed(1).padStart(7)} ms   p99 ${percentile(sorted, 99).toFixed(1).padStart(7)} ms   ${rate.toFixed(1).padStart(7)} /s`);
}

/** The students the round trips top up, signed in directly (hashing passwords is not what is measured). */
async function students(ctx: Awaited<ReturnType<typeof openRuntime>>['ctx']): Promise<{ id: string; cardId: string; token: string }[]> {
  const school = { id: newId(), code: 'BENCH-PAY', name: '基准测试学校', stage: 'middle' as const, district: null };
  await ctx.db.insertInto('schools').values(school).execute();
  const out: { id: string; cardId: string; token: string }[] = [];
  for (let i = 0; i < STUDENTS; i++) {
    const id = newId();
    await ctx.db.insertInto('students').values({ id, education_id: String(60_000_000 + i), name: `学生${i}`, gender: 'F', birth_date: '2012-05-20', id_number: `11010820120520${String(1000 + i).slice(-4)}`, school_id: school.id, class_id: null, stage: 'middle', password_hash: null, updated_at: new Date() }).execute();
    const card = await issueCard(ctx.db, ctx.clock, { product: 'k12_card', studentId: id, active: true, reason: 'bench', actor: systemActor, requestId: null });
    out.push({ id, cardId: card.id, token: (await createSession(ctx.db, ctx.clock, { role: 'student', subjectId: id, loginKind: 'student' }, 600)).token });
  }
  return out;
}

interface RoundTrip {
  totalMs: number;
  notifyMs: number;
}

async function roundTrip(ctx: Awaited<ReturnType<typeof openRuntime>>['ctx'], origin: string, student: { id: string; cardId: string; token: string }, gateway: 'alipay' | 'wechat'): Promise<RoundTrip> {
  const call = async (path: string, body: unknown) => {
    const response = await fetch(`${origin}/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${student.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await response.json()) as Record<string, unknown>;
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const started = performance.now();
  const order = (await call('/orders/top-up', { cardId: student.cardId, amountFen: 5000 })) as { id: string; orderNo: string };
  const { cashierUrl } = (await call(`/orders/${order.id}/pay`, { gateway })) as { cashierUrl: string };
  const paid = await actAtCashier(cashierUrl, 'pay');
  if (!paid.html.includes('支付成功')) throw new Error(`cashier answered ${paid.status}`);
  const notifyStarted = performance.now();
  const notifications = await ctx.db
    .selectFrom('sandbox_notifications as n').innerJoin('sandbox_payments as p', 'p.id', 'n.sandbox_payment_id')
    .select('n.id').where('p.out_trade_no', '=', order.orderNo).execute();
  for (const n of notifications) await deliverNotification(ctx, n.id);
  const notifyMs = performance.now() - notifyStarted;
  const credited = await ctx.db.selectFrom('payment_orders').select('status').where('id', '=', order.id).executeTakeFirstOrThrow();
  if (credited.status !== 'fulfilled') throw new Error(`order ${order.id} is ${credited.status} after its notification`);
  return { totalMs: performance.now() - started, notifyMs };
}

function pgbenchBinary(): string {
  const debian = '/usr/lib/postgresql/15/bin/pgbench';
  return existsSync(debian) ? debian : 'pgbench';
}

/** PostgreSQL's own TPC-B-like throughput on the same server and database, as the yardstick. */
function pgbenchTps(url: string): string {
  const binary = pgbenchBinary();
  execFileSync(binary, ['-i', '-s', '10', '-q', url], { stdio: 'ignore' });
  const output = execFileSync(binary, ['-c', '4', '-j', '2', '-T', '15', url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return /tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1] ?? /tps = ([\d.]+)/.exec(output)?.[1] ?? 'n/a';
}

async function main(): Promise<void> {
  console.log(`Payment round trip bench: ${ROUND_TRIPS} round trips at concurrency ${CONCURRENCY}, PostgreSQL at ${new URL(adminUrl).host}`);
  await withScratchDatabase(async (url) => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: mkdtempSync(join(tmpdir(), 'onecard-bench-')), DATABASE_URL: url, ONECARD_SANDBOX_GATEWAY_KEY: randomBytes(32).toString('hex') });
    const runtime = await openRuntime(config, { handle: openPostgres(url, 20), logger: pino({ level: 'silent' }) });
    const app = await buildServer(runtime.ctx, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    try {
      const pool = await students(runtime.ctx);
      await roundTrip(runtime.ctx, origin, pool[0]!, 'alipay'); // warm-up: generates the sandbox keys
      await roundTrip(runtime.ctx, origin, pool[1]!, 'wechat');
      const results: RoundTrip[] = [];
      let next = 0;
      const started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        while (next < ROUND_TRIPS) {
          const i = next++;
          results.push(await roundTrip(runtime.ctx, origin, pool[i % pool.length]!, i % 2 === 0 ? 'alipay' : 'wechat'));
        }
      }));
      const wallMs = performance.now() - started;
      report('order → pay → notify → credited', results.map((r) => r.totalMs), wallMs);
      report('notification delivered → credited', results.map((r) => r.notifyMs), wallMs);
      console.log(`  wall time ${(wallMs / 1000).toFixed(1)} s; every order fulfilled and credited once`);
    } finally {
      await app.close();
      await runtime.close();
    }
    console.log(`  pgbench TPC-B (-s 10, -c 4 -j 2 -T 15) on the same server: ${pgbenchTps(url)} tps`);
  });
}

await main();
