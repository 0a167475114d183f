import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BusLineType } from '../src/domain/fares.js';
import { maskCardNo, maskPhone } from '../src/domain/masking.js';
import { actAtCashier } from '../src/modules/payments/sandbox/sandbox-payer.js';
import { denyListPrivateKey, denyListPublicKey } from '../src/domain/transit-crypto.js';
import type { SimulateOptions, SimulationSummary } from '../src/cli/terminal.js';
import type { ActionsResponse, BatchRequest, BatchResponse, DenyListDelta } from '../src/modules/transit/protocol.js';
import { SimulatedCard, shanghaiDay, type CardState } from './card-simulator.js';
import { HttpApi, OperatorClient, TerminalClient } from './client.js';
import { DenyListCache, denyListFileFor } from './deny-list-cache.js';
import { STATIONS } from './stations.js';
import { TerminalSimulator, type TapDecision, type TerminalApi } from './terminal-simulator.js';

/**
 * The `onecard terminal simulate` run (see src/cli/terminal.ts). Phases:
 *  1. set-up: an operator session; terminals registered once and remembered in the state dir;
 *     the server's active cards, with the balance its shadow purse holds;
 *  2. a compressed day (the 24 hours before now): trips clustered in the rush hours, every tap
 *     decided offline, each terminal talking to the server every few simulated minutes except
 *     during its offline spell (it backs off and keeps working);
 *  3. a lost card: reported lost through the API, then tapped at a terminal that has fetched the
 *     deny-list (refused) and at one that is offline (accepted; the server flags it on upload);
 *  4. a final upload, the card states saved, and a summary.
 */

interface TerminalRecord {
  id: string;
  code: string;
  secret: string;
  kind: 'bus_validator' | 'rail_gate';
  station?: string;
  lineType?: BusLineType;
}

interface SimState {
  url: string;
  tag: string;
  terminals: TerminalRecord[];
  cards: Record<string, CardState>;
}

interface ServerCard {
  id: string;
  cardNo: string;
  status: string;
  transitValid: boolean;
  validUntil: string | null;
  balanceFen: number;
  product: string;
}

/** mulberry32: a small seeded generator, so a run can be repeated with --seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3600_000;
const MINUTE = 60_000;
const SHANGHAI = 8 * HOUR;

/** A terminal's link to the server, which a simulated offline spell cuts. */
class Link implements TerminalApi {
  offline = false;
  constructor(private readonly client: TerminalClient) {}
  private check(): void {
    if (this.offline) throw new Error('offline (simulated)');
  }
  async uploadBatch(terminalId: string, body: BatchRequest): Promise<BatchResponse> {
    this.check();
    return this.client.uploadBatch(terminalId, body);
  }
  async denyList(terminalId: string, since: number): Promise<DenyListDelta> {
    this.check();
    return this.client.denyList(terminalId, since);
  }
  async actions(terminalId: string, since: string | undefined): Promise<ActionsResponse> {
    this.check();
    return this.client.actions(terminalId, since);
  }
}

interface SimTerminal {
  record: TerminalRecord;
  sim: TerminalSimulator;
  client: TerminalClient;
  link: Link;
  offlineFrom: number;
  offlineTo: number;
  nextSyncAt: number;
}

function loadState(file: string, url: string): SimState {
  if (existsSync(file)) {
    const state = JSON.parse(readFileSync(file, 'utf8')) as SimState;
    if (state.url === url) return state;
  }
  return { url, tag: randomUUID().slice(0, 4).toUpperCase(), terminals: [], cards: {} };
}

function saveState(file: string, state: SimState): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 1), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function plan(count: number, tag: string): Omit<TerminalRecord, 'id' | 'secret'>[] {
  const gates = Math.min(STATIONS.length, Math.max(count >= 2 ? 2 : 0, Math.ceil(count / 2)));
  const preferred = ['xidan', 'zhongguancun', 'guomao', 'pingguoyuan', 'xizhimen', 'wangfujing', 'beijingnan', 'renmindaxue', 'jianguomen', 'gongzhufen', 'sihuidong', 'beidadongmen', 'xuanwumen', 'junshibowuguan', 'beigongmen'];
  const out: Omit<TerminalRecord, 'id' | 'secret'>[] = preferred.slice(0, gates).map((station) => ({ code: `SIM${tag}-G-${station}`, kind: 'rail_gate' as const, station }));
  const lineTypes: BusLineType[] = ['ordinary', 'ordinary', 'express', 'ordinary', 'customised'];
  for (let i = 0; out.length < count; i += 1) out.push({ code: `SIM${tag}-B${String(i + 1).padStart(2, '0')}`, kind: 'bus_validator', lineType: lineTypes[i % lineTypes.length]! });
  return out;
}

async function serverCards(op: OperatorClient, wanted: number): Promise<ServerCard[]> {
  const found: ServerCard[] = [];
  for (let page = 1; found.length < wanted; page += 1) {
    const students = await op.request<{ items: { id: string }[]; total: number }>(`/admin/students?page=${page}&pageSize=100`);
    for (const s of students.items) {
      const cards = await op.request<{ items: ServerCard[] }>(`/cards?studentId=${s.id}`);
      for (const c of cards.items) if (c.status === 'active' && c.transitValid && found.length < wanted) found.push(c);
      if (found.length >= wanted) break;
    }
    if (students.items.length < 100) break;
  }
  return found;
}

function publicKeyOf(me: { denyListPublicKey?: string }, options: SimulateOptions, log: (s: string) => void): KeyObject {
  if (me.denyListPublicKey) return denyListPublicKey(me.denyListPublicKey);
  if (!options.denyListSigningKey) throw new Error('GET /terminal/me gave no denyListPublicKey and no local signing key is configured');
  log('  note: /terminal/me has no denyListPublicKey; using the public half of the local ONECARD_DENY_LIST_SIGNING_KEY');
  return createPublicKey(denyListPrivateKey(options.denyListSigningKey));
}

/** Which terminals start from the deny-list they kept, and which found theirs unusable. */
function logKeptDenyLists(terminals: SimTerminal[], log: (s: string) => void): void {
  const kept: string[] = [];
  const distrusted: string[] = [];
  for (const t of terminals) {
    const r = t.sim.options.denyList.restored;
    if (r.from === 'file') kept.push(`${t.record.code} v${r.version}`);
    else if (r.reason === 'CORRUPT' || r.reason === 'OTHER_KEY') distrusted.push(`${t.record.code} (${r.reason === 'CORRUPT' ? 'file damaged' : 'signed by another key'})`);
  }
  if (kept.length > 0) log(`  deny-lists kept from an earlier run: ${kept.join(', ')}; the first polls ask only for what changed since`);
  if (distrusted.length > 0) log(`  deny-lists not trusted, fetched whole: ${distrusted.join(', ')}`);
}

const tally = (list: { code: string }[]) => list.reduce<Record<string, number>>((acc, x) => ({ ...acc, [x.code]: (acc[x.code] ?? 0) + 1 }), {});

export async function runSimulation(options: SimulateOptions): Promise<SimulationSummary> {
  const log = options.log;
  const random = rng(options.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  mkdirSync(join(options.stateDir, 'queues'), { recursive: true });
  const stateFile = join(options.stateDir, 'sim-state.json');
  const state = loadState(stateFile, options.url);
  const http = new HttpApi(options.url);

  // 1. Set-up.
  const op = options.operatorToken ? new OperatorClient(http, options.operatorToken) : await OperatorClient.login(http, options.operatorUser ?? 'operator', options.operatorPassword ?? '');
  for (const wanted of plan(options.terminals, state.tag)) {
    if (state.terminals.some((t) => t.code === wanted.code)) continue;
    const created = await op.registerTerminal({ code: wanted.code, kind: wanted.kind, operator: 'simulator', location: wanted.station ?? `bus ${wanted.lineType}` });
    state.terminals.push({ ...wanted, id: created.id, secret: created.secret });
    saveState(stateFile, state);
  }
  let nowMs = Date.now();
  const now = () => new Date(nowMs);
  const terminals: SimTerminal[] = [];
  for (const record of state.terminals.slice(0, options.terminals)) {
    const client = new TerminalClient(http, { code: record.code, secret: record.secret });
    await client.login();
    const me = await client.me();
    const link = new Link(client);
    const queueFile = join(options.stateDir, 'queues', `${record.code}.jsonl`);
    // The deny-list kept from the last run: the first poll then asks only for what changed since.
    const denyList = new DenyListCache(publicKeyOf(me, options, log), { file: denyListFileFor(queueFile) });
    const sim = new TerminalSimulator({
      terminalId: record.id,
      code: record.code,
      kind: record.kind,
      station: record.station,
      lineType: record.lineType,
      queueFile,
      denyList,
      now,
      random,
      backoff: { baseMs: 30_000, maxMs: 30 * MINUTE },
      newBatchId: randomUUID,
    });
    terminals.push({ record, sim, client, link, offlineFrom: 0, offlineTo: 0, nextSyncAt: 0 });
  }
  log(`${terminals.length} terminals: ${terminals.map((t) => `${t.record.code}${t.record.station ? '' : ` (${t.record.lineType})`}`).join(', ')}`);
  logKeptDenyLists(terminals, log);
  const resumed = terminals.reduce((n, t) => n + t.sim.queue.length, 0);
  if (resumed > 0) log(`  ${resumed} records left from an earlier run are queued for upload`);

  const toppedUp = await topUps(http, options, log);

  // First contact: upload leftovers, fetch the deny-list and the action list.
  for (const t of terminals) {
    const report = await t.sim.sync(t.link, { force: true });
    if (!report.ok) {
      const hint = /ROUTE_NOT_FOUND|404/.test(report.error ?? '') ? ' (does the server have the terminal protocol endpoints?)' : '';
      throw new Error(`${t.record.code} cannot sync: ${report.error}${hint}`);
    }
  }

  const fromServer = await serverCards(op, options.cards);
  if (fromServer.length === 0) throw new Error('the server has no active transit cards to simulate; issue some cards first');
  if (fromServer.length < options.cards) log(`  only ${fromServer.length} active cards on the server; using those`);
  // A new card starts with what the shadow purse holds, less top-ups still waiting to be written to it.
  const waiting = new Map<string, number>();
  for (const t of terminals.slice(0, 1)) {
    const all = await t.client.actions(t.record.id, undefined);
    for (const a of all.actions) if (a.kind === 'top_up' && a.amountFen) waiting.set(a.cardNo, (waiting.get(a.cardNo) ?? 0) + a.amountFen);
  }
  const cards = fromServer.map((c) => {
    const saved = state.cards[c.cardNo];
    const card = new SimulatedCard(options.masterKey, saved ?? { cardNo: c.cardNo, category: 'student', balanceFen: Math.max(0, c.balanceFen - (waiting.get(c.cardNo) ?? 0)), validUntil: c.validUntil });
    return { server: c, card };
  });
  const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
  const totalFen = cards.reduce((n, c) => n + c.card.balanceFen, 0);
  const waitingFen = cards.reduce((n, c) => n + (waiting.get(c.card.cardNo) ?? 0), 0);
  const poor = cards.filter((c) => c.card.balanceFen + (waiting.get(c.card.cardNo) ?? 0) < 300).length;
  log(`${cards.length} cards: ${yuan(totalFen)} on the cards, ${yuan(waitingFen)} of online top-ups waiting to be written at their next tap${poor ? `; ${poor} hold under ¥3 and will be refused at rail gates` : ''}`);

  // 2. A compressed day: the 24 hours before now.
  const dayEnd = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
  const dayStart = dayEnd - 24 * HOUR;
  const localHour = (ms: number) => new Date(ms + SHANGHAI).getUTCHours();
  const rushStarts: number[] = [];
  for (let d = Math.floor((dayStart + SHANGHAI) / (24 * HOUR)) * 24 * HOUR - SHANGHAI; d < dayEnd; d += 24 * HOUR) {
    for (const h of [7, 17]) {
      const s = d + h * HOUR;
      if (s >= dayStart && s + 2 * HOUR <= dayEnd) rushStarts.push(s);
    }
  }
  const tripTime = (): number => {
    if (rushStarts.length > 0 && random() < 0.7) return pick(rushStarts) + random() * 2 * HOUR;
    for (;;) {
      const t = dayStart + random() * (dayEnd - dayStart - HOUR);
      const h = localHour(t);
      if (h >= 5 && h < 23) return t;
    }
  };
  const gates = terminals.filter((t) => t.record.kind === 'rail_gate');
  const buses = terminals.filter((t) => t.record.kind === 'bus_validator');
  type Event = { at: number; run: () => TapDecision | null };
  const events: Event[] = [];
  for (const { card } of cards) {
    const trips = Math.max(1, Math.round(options.tripsPerCard * (0.5 + random())));
    // One card makes one trip at a time: each starts at least 70 minutes after the previous one.
    const starts = Array.from({ length: trips }, tripTime).sort((a, b) => a - b);
    for (let i = 1; i < starts.length; i += 1) starts[i] = Math.max(starts[i]!, starts[i - 1]! + 70 * MINUTE);
    for (const at of starts) {
      if (gates.length >= 2 && (buses.length === 0 || random() < 0.5)) {
        const entry = pick(gates);
        let exit = pick(gates);
        while (exit === entry) exit = pick(gates);
        let entered = false;
        events.push({ at, run: () => {
          const d = entry.sim.tap(card, { kind: 'rail_entry' });
          entered = d.ok;
          return d;
        } });
        events.push({ at: at + (15 + random() * 45) * MINUTE, run: () => (entered ? exit.sim.tap(card, { kind: 'rail_exit' }) : null) });
      } else if (buses.length > 0) {
        const bus = pick(buses);
        const distanceKm = Math.round((1 + random() * random() * 24) * 10) / 10;
        events.push({ at, run: () => bus.sim.tap(card, { kind: 'bus', distanceKm }) });
      }
    }
  }
  events.sort((a, b) => a.at - b.at);
  if (options.offlineSpells) {
    for (const t of terminals) {
      if (random() < 0.4) {
        t.offlineFrom = pick(rushStarts.length ? rushStarts : [dayStart + 8 * HOUR]) - random() * HOUR;
        t.offlineTo = t.offlineFrom + (1 + random() * 2) * HOUR;
      }
    }
    const spells = terminals.filter((t) => t.offlineTo > t.offlineFrom);
    if (spells.length) log(`offline spells: ${spells.map((t) => `${t.record.code} ${shanghaiClock(t.offlineFrom)}–${shanghaiClock(t.offlineTo)}`).join(', ')}`);
  }
  log(`simulating ${shanghaiDay(new Date(dayStart))} ${shanghaiClock(dayStart)} to ${shanghaiDay(new Date(dayEnd))} ${shanghaiClock(dayEnd)} (Beijing): ${events.length} taps planned`);

  const syncDue = async (until: number) => {
    for (const t of terminals) {
      while (t.nextSyncAt <= until) {
        nowMs = Math.max(t.nextSyncAt, dayStart);
        t.link.offline = nowMs >= t.offlineFrom && nowMs < t.offlineTo;
        await t.sim.sync(t.link);
        t.nextSyncAt = nowMs + options.syncEveryMinutes * MINUTE;
      }
    }
  };
  terminals.forEach((t, i) => (t.nextSyncAt = dayStart + (i * options.syncEveryMinutes * MINUTE) / terminals.length));
  let done = 0;
  let lastReport = Date.now();
  for (const event of events) {
    await syncDue(event.at);
    nowMs = event.at;
    event.run();
    done += 1;
    if (Date.now() - lastReport > 5_000) {
      log(`  … ${done}/${events.length} taps, simulated time ${shanghaiClock(nowMs)}`);
      lastReport = Date.now();
    }
  }
  await syncDue(dayEnd);
  for (const t of terminals) t.link.offline = false;
  nowMs = Date.now();
  for (const t of terminals) await t.sim.sync(t.link, { force: true });
  saveCards();

  // 3. The lost card.
  let lostCard: SimulationSummary['lostCard'] = null;
  if (options.lostCard && terminals.length >= 2) {
    const candidate = cards.find((c) => c.card.balanceFen >= 1_000 && c.card.pendingEntry === null) ?? cards.find((c) => c.card.pendingEntry === null);
    const online = buses[0] ?? terminals[0]!;
    const offline = terminals.find((t) => t !== online && t.record.kind === online.record.kind) ?? buses[1];
    if (candidate && offline) {
      const masked = maskCardNo(candidate.card.cardNo);
      log(`lost card ${masked}: reported lost now; ${offline.record.code} has gone offline with the deny-list it had`);
      offline.link.offline = true;
      await op.request(`/cards/${candidate.server.id}/loss`, { method: 'POST' });
      await sleep(1_100);
      nowMs = Date.now();
      await online.sim.sync(online.link, { force: true });
      const tapAt = (t: SimTerminal) => t.sim.tap(candidate.card, t.record.kind === 'rail_gate' ? { kind: 'rail_entry' } : { kind: 'bus', distanceKm: 3 });
      const refused = tapAt(online);
      nowMs = Date.now();
      const taken = tapAt(offline);
      log(`  at ${online.record.code} (deny-list v${online.sim.options.denyList.version}): ${refused.ok ? 'ACCEPTED (deny-list not updated yet)' : `refused, ${refused.reason}`}`);
      log(`  at ${offline.record.code} (offline, deny-list v${offline.sim.options.denyList.version}): ${taken.ok ? `accepted, ¥${(taken.record.amountFen / 100).toFixed(2)} taken` : `refused, ${taken.reason}`}`);
      offline.link.offline = false;
      const flaggedBefore = offline.sim.stats.flagged.length;
      await offline.sim.sync(offline.link, { force: true });
      const newFlags = offline.sim.stats.flagged.slice(flaggedBefore);
      const flagged = taken.ok && newFlags.some((f) => f.seq === taken.record.seq && f.code === 'AFTER_DENY');
      log(`  uploaded from ${offline.record.code}: ${flagged ? 'the server settled it and flagged AFTER_DENY' : `flags ${JSON.stringify(newFlags)}`}`);
      await op.request(`/cards/${candidate.server.id}/unloss`, { method: 'POST' }).catch((error: unknown) => log(`  could not unloss: ${String(error)}`));
      log('  card found again: unlossed so the next run can use it');
      lostCard = { cardNoMasked: masked, deniedOnline: !refused.ok && refused.reason === 'DENY_LISTED', acceptedOffline: taken.ok, flaggedAfterDeny: flagged };
    } else {
      log('lost card: skipped (needs two terminals of one kind and a card not inside the rail network)');
    }
  }

  // 4. Last upload and the summary.
  nowMs = Date.now();
  for (const t of terminals) await t.sim.sync(t.link, { force: true });
  saveCards();
  const s = terminals.map((t) => t.sim.stats);
  const sum = (f: (x: (typeof s)[number]) => number) => s.reduce((n, x) => n + f(x), 0);
  const denied: Record<string, number> = {};
  for (const x of s) for (const [k, v] of Object.entries(x.denied)) if (v) denied[k] = (denied[k] ?? 0) + v;
  const summary: SimulationSummary = {
    cards: cards.length,
    terminals: terminals.length,
    taps: sum((x) => x.taps),
    accepted: sum((x) => x.accepted),
    denied,
    uploaded: sum((x) => x.uploaded),
    acknowledged: sum((x) => x.acknowledged),
    duplicates: sum((x) => x.duplicates),
    rejected: tally(s.flatMap((x) => x.rejected)),
    flagged: tally(s.flatMap((x) => x.flagged)),
    stillQueued: terminals.reduce((n, t) => n + t.sim.queue.length, 0),
    syncFailures: sum((x) => x.uploadFailures),
    actionsApplied: sum((x) => x.actionsApplied),
    toppedUp,
    lostCard,
  };
  for (const t of terminals) t.sim.close();
  for (const t of terminals) {
    const error = t.sim.options.denyList.persistError;
    if (error) log(`  warning: ${t.record.code} could not keep its deny-list on disk (${error}); its next start asks from the version last kept, or for the full list`);
  }
  log('');
  log(`taps ${summary.taps}: accepted ${summary.accepted}, denied ${Object.values(denied).reduce((a, b) => a + b, 0)} ${JSON.stringify(denied)}`);
  log(`uploaded ${summary.uploaded} records (incl. re-sends), acknowledged ${summary.acknowledged}, duplicates ${summary.duplicates}, still queued ${summary.stillQueued}`);
  log(`rejected ${JSON.stringify(summary.rejected)}, flagged ${JSON.stringify(summary.flagged)}, failed syncs (offline / errors) ${summary.syncFailures}, top-ups and extensions written to cards ${summary.actionsApplied}`);
  log(`state kept in ${options.stateDir}`);
  return summary;

  function saveCards(): void {
    for (const { card } of cards) state.cards[card.cardNo] = card.state();
    saveState(stateFile, state);
  }
}

/**
 * Online top-ups as the app makes them: the payer orders a top-up for each card, pays at the
 * sandbox cashier, and the server turns the paid order into an action-list entry that a terminal
 * writes to the card at its next tap. Returns how many orders were paid.
 */
async function topUps(http: HttpApi, options: SimulateOptions, log: (s: string) => void): Promise<number> {
  let paid = 0;
  for (const payer of options.payers ?? []) {
    const { token } = await http.request<{ token: string }>('/sessions', { body: payer });
    const cards = await http.request<{ items: { id: string; cardNoMasked: string; canTopUp: boolean }[] }>('/cards', { token });
    for (const card of cards.items.filter((c) => c.canTopUp)) {
      const order = await http.request<{ id: string }>('/orders/top-up', { token, idempotencyKey: randomUUID(), body: { cardId: card.id, amountFen: options.topUpFen ?? 5_000 } });
      const link = await http.request<{ cashierUrl: string }>(`/orders/${order.id}/pay`, { token, idempotencyKey: randomUUID(), body: { gateway: 'alipay' } });
      const visit = await actAtCashier(new URL(link.cashierUrl, options.url).toString(), 'pay');
      if (visit.status !== 200) throw new Error(`sandbox cashier refused the top-up of ${card.cardNoMasked}: ${visit.status}`);
      let status = '';
      for (let i = 0; i < 50 && status !== 'fulfilled'; i += 1) {
        await http.request(`/orders/${order.id}/confirm`, { token, method: 'POST', idempotencyKey: randomUUID() }).catch(() => undefined);
        status = (await http.request<{ status: string }>(`/orders/${order.id}`, { token })).status;
        if (status !== 'fulfilled') await sleep(200);
      }
      if (status !== 'fulfilled') throw new Error(`the top-up of ${card.cardNoMasked} is ${status}, not fulfilled`);
      paid += 1;
      log(`topped up ${card.cardNoMasked} by ¥${((options.topUpFen ?? 5_000) / 100).toFixed(2)} in the app (${payer.as} ${payer.as === 'parent' ? maskPhone(payer.login) : payer.login}); a terminal writes it at the card's next tap`);
    }
  }
  return paid;
}

function shanghaiClock(ms: number): string {
  return new Date(ms + SHANGHAI).toISOString().slice(11, 16);
}
