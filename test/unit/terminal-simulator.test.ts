import { mkdtempSync, readFileSync, appendFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deriveCardKey, denyListPrivateKey, denyListPublicKey, denyListPublicKeyPem, signedDenyList, verifyTac } from '../../src/domain/transit-crypto.js';
import type { ActionsResponse, BatchRequest, BatchResponse, CardAction, DenyListDelta, TapRecord } from '../../src/modules/transit/protocol.js';
import { tapRecordSchema } from '../../src/modules/transit/protocol.js';
import { SimulatedCard, type CardState } from '../../terminal/card-simulator.js';
import { DenyListCache, denyListFileFor } from '../../terminal/deny-list-cache.js';
import { TapQueue } from '../../terminal/tap-queue.js';
import { TerminalSimulator, type TerminalApi, type TerminalOptions } from '../../terminal/terminal-simulator.js';

const MASTER = 'unit-master-key-'.padEnd(40, 'k');
const SEED = '5a'.repeat(32);
const signer = denyListPrivateKey(SEED);
const publicKey = denyListPublicKey(denyListPublicKeyPem(SEED));

let clockMs = Date.parse('2026-11-23T01:00:00Z'); // 09:00 in Beijing, a Monday
const now = () => new Date(clockMs);
const open: TerminalSimulator[] = [];
afterEach(() => {
  for (const t of open.splice(0)) t.close();
  clockMs = Date.parse('2026-11-23T01:00:00Z');
});

const dir = () => mkdtempSync(join(tmpdir(), 'onecard-terminal-'));

function terminal(overrides: Partial<TerminalOptions> & Pick<TerminalOptions, 'kind'>, denyList = new DenyListCache(publicKey)): TerminalSimulator {
  const code = overrides.code ?? `${overrides.kind}-${randomUUID().slice(0, 6)}`;
  const t = new TerminalSimulator({
    terminalId: randomUUID(),
    code,
    queueFile: join(dir(), `${code}.jsonl`),
    denyList,
    now,
    random: () => 1,
    newBatchId: randomUUID,
    ...overrides,
  });
  open.push(t);
  return t;
}

const card = (init: Partial<CardState> = {}) => new SimulatedCard(MASTER, { cardNo: `3${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`, balanceFen: 10_000, validUntil: '2027-09-30', ...init });

function deny(cards: string[]): DenyListCache {
  const cache = new DenyListCache(publicKey);
  cache.apply(signedDenyList(signer, { version: 1, fromVersion: 0, full: true, added: cards, removed: [], issuedAt: now().toISOString() }));
  return cache;
}

describe('tap decisions, offline', () => {
  it('denies a card on the deny-list without touching it', () => {
    const c = card();
    const t = terminal({ kind: 'bus_validator' }, deny([c.cardNo]));
    expect(t.tap(c, { kind: 'bus', distanceKm: 5 })).toEqual({ ok: false, reason: 'DENY_LISTED' });
    expect(c.state()).toMatchObject({ balanceFen: 10_000, counter: 0 });
    expect(t.queue.length).toBe(0);
    expect(t.stats.denied.DENY_LISTED).toBe(1);
  });

  it('lets a card ride through its 30-day grace period after its last valid day, and denies it from the day after (Beijing time)', () => {
    const c = card({ validUntil: '2026-11-22' });
    const t = terminal({ kind: 'bus_validator' });
    clockMs = Date.parse('2026-11-23T10:00:00Z');
    // In grace: still the student rate.
    const inGrace = t.tap(c, { kind: 'bus', distanceKm: 5 });
    expect(inGrace.ok && inGrace.record.amountFen).toBe(50);
    clockMs = Date.parse('2026-12-22T15:59:00Z');
    expect(t.tap(c, { kind: 'bus', distanceKm: 5 }).ok).toBe(true);
    clockMs = Date.parse('2026-12-22T16:00:00Z');
    expect(t.tap(c, { kind: 'bus', distanceKm: 5 })).toEqual({ ok: false, reason: 'EXPIRED' });
  });

  it('denies a card that cannot pay the fare', () => {
    const c = card({ balanceFen: 49 });
    const t = terminal({ kind: 'bus_validator' });
    expect(t.tap(c, { kind: 'bus', distanceKm: 5 })).toEqual({ ok: false, reason: 'INSUFFICIENT_BALANCE' });
    expect(t.tap(card({ balanceFen: 50 }), { kind: 'bus', distanceKm: 5 }).ok).toBe(true);
    // A rail gate lets nobody in who cannot pay the lowest fare.
    const gate = terminal({ kind: 'rail_gate', station: 'xidan' });
    expect(gate.tap(card({ balanceFen: 299 }), { kind: 'rail_entry' })).toEqual({ ok: false, reason: 'INSUFFICIENT_BALANCE' });
  });

  it('charges a student 25 % on ordinary bus lines but the ordinary card rate on express lines', () => {
    const ordinary = terminal({ kind: 'bus_validator', lineType: 'ordinary' });
    const express = terminal({ kind: 'bus_validator', lineType: 'express' });
    const student = card({ category: 'student' });
    const a = ordinary.tap(student, { kind: 'bus', distanceKm: 12 });
    const b = express.tap(student, { kind: 'bus', distanceKm: 12 });
    const adult = ordinary.tap(card({ category: 'ordinary' }), { kind: 'bus', distanceKm: 12 });
    expect(a.ok && a.record).toMatchObject({ amountFen: 75, fare: { rule: 'BUS_STUDENT', fullFareFen: 300, lineType: 'ordinary', category: 'student' } });
    expect(b.ok && b.record).toMatchObject({ amountFen: 150, fare: { rule: 'BUS_STUDENT_LINE_EXCLUDED', lineType: 'express' } });
    expect(adult.ok && adult.record).toMatchObject({ amountFen: 150, fare: { rule: 'BUS_ORDINARY_CARD' } });
    expect(student.balanceFen).toBe(10_000 - 75 - 150);
  });

  it('prices rail by the entry/exit pair and the distance between the stations', () => {
    const entry = terminal({ kind: 'rail_gate', station: 'zhongguancun' });
    const exit = terminal({ kind: 'rail_gate', station: 'guomao' });
    const c = card();
    expect(exit.tap(c, { kind: 'rail_exit' })).toEqual({ ok: false, reason: 'NO_ENTRY' });
    const inn = entry.tap(c, { kind: 'rail_entry' });
    expect(inn.ok && inn.record).toMatchObject({ kind: 'rail_entry', amountFen: 0, fare: null, cardCounter: 1 });
    expect(entry.tap(c, { kind: 'rail_entry' })).toEqual({ ok: false, reason: 'ENTRY_PENDING' });
    clockMs += 40 * 60_000;
    const out = exit.tap(c, { kind: 'rail_exit' });
    // 中关村 → 西单 11.5 km on line 4, then 7.3 km on line 1: 18.8 km, ¥5.
    expect(out.ok && out.record).toMatchObject({ kind: 'rail_exit', amountFen: 500, cardCounter: 2, fare: { mode: 'rail', distanceKm: 18.8, fullFareFen: 500, entryStation: 'zhongguancun', exitStation: 'guomao', monthSpentBeforeFen: 0, rule: 'RAIL_CARD' } });
    expect(c.pendingEntry).toBeNull();
    expect(exit.tap(c, { kind: 'rail_exit' })).toEqual({ ok: false, reason: 'NO_ENTRY' });
    // A bus validator is not a gate.
    expect(terminal({ kind: 'bus_validator' }).tap(c, { kind: 'rail_entry' })).toEqual({ ok: false, reason: 'WRONG_TERMINAL' });
  });

  it('applies the monthly tiers from the card, and the ride that crosses a threshold pays the old rate', () => {
    const a = terminal({ kind: 'rail_gate', station: 'pingguoyuan' });
    const b = terminal({ kind: 'rail_gate', station: 'xidan' }); // 16.4 km: ¥5
    const c = card({ railMonth: '2026-11', railMonthSpentFen: 9_800 });
    const ride = () => {
      a.tap(c, { kind: 'rail_entry' });
      clockMs += 30 * 60_000;
      const out = b.tap(c, { kind: 'rail_exit' });
      clockMs += 30 * 60_000;
      if (!out.ok) throw new Error(out.reason);
      return out.record;
    };
    expect(ride()).toMatchObject({ amountFen: 500, fare: { monthSpentBeforeFen: 9_800 } }); // crosses ¥100 at full fare
    expect(ride()).toMatchObject({ amountFen: 400, fare: { monthSpentBeforeFen: 10_300 } }); // 80 %
    const c2 = card({ railMonth: '2026-11', railMonthSpentFen: 14_900 });
    const ride2 = () => {
      a.tap(c2, { kind: 'rail_entry' });
      const out = b.tap(c2, { kind: 'rail_exit' });
      if (!out.ok) throw new Error(out.reason);
      return out.record.amountFen;
    };
    expect(ride2()).toBe(400); // 14 900 → 15 300 at 80 %
    expect(ride2()).toBe(250); // 50 %
    expect(c2.railMonthSpentFen(now())).toBe(14_900 + 400 + 250);
    // Last month's spend does not count.
    const c3 = card({ railMonth: '2026-10', railMonthSpentFen: 20_000 });
    a.tap(c3, { kind: 'rail_entry' });
    const out = b.tap(c3, { kind: 'rail_exit' });
    expect(out.ok && out.record.amountFen).toBe(500);
  });

  it('writes pending online top-ups and extensions at the tap, and lists them on the record', () => {
    const t = terminal({ kind: 'bus_validator' });
    const c = card({ balanceFen: 10, validUntil: '2026-09-30' });
    expect(t.tap(c, { kind: 'bus', distanceKm: 5 })).toEqual({ ok: false, reason: 'EXPIRED' });
    const actions: CardAction[] = [
      { id: 'ext-1', cardNo: c.cardNo, kind: 'extend', validUntil: '2027-09-30' },
      { id: 'top-1', cardNo: c.cardNo, kind: 'top_up', amountFen: 2_000 },
    ];
    t.receiveActions(actions);
    const res = t.tap(c, { kind: 'bus', distanceKm: 5 });
    expect(res.ok && res.record).toMatchObject({ amountFen: 50, balanceAfterFen: 10 + 2_000 - 50, appliedActionIds: ['ext-1', 'top-1'] });
    expect(c.validUntil).toBe('2027-09-30');
    expect(t.pendingActionCount()).toBe(0);
    // A second terminal that got the same actions does not write them again.
    const t2 = terminal({ kind: 'bus_validator' });
    t2.receiveActions(actions);
    const again = t2.tap(c, { kind: 'bus', distanceKm: 5 });
    expect(again.ok && again.record).toMatchObject({ appliedActionIds: [], balanceAfterFen: 1_910 });
  });

  it('writes nothing to the card when the tap is denied, even with actions pending', () => {
    const t = terminal({ kind: 'pos' });
    const c = card({ balanceFen: 0 });
    t.receiveActions([{ id: 'top-2', cardNo: c.cardNo, kind: 'top_up', amountFen: 100 }]);
    expect(t.tap(c, { kind: 'pos', amountFen: 500 })).toEqual({ ok: false, reason: 'INSUFFICIENT_BALANCE' });
    expect(c.state()).toMatchObject({ balanceFen: 0, counter: 0, appliedActionIds: [] });
    expect(t.pendingActionCount()).toBe(1);
  });

  it('signs every record with a TAC the issuer verifies, and numbers them 1, 2, 3 per terminal', () => {
    const t = terminal({ kind: 'bus_validator', code: 'BUS-TAC' });
    const c = card();
    const records = [1, 2, 3].map(() => {
      const r = t.tap(c, { kind: 'bus', distanceKm: 3 });
      if (!r.ok) throw new Error(r.reason);
      return r.record;
    });
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3]);
    const key = deriveCardKey(MASTER, c.cardNo);
    for (const r of records) {
      expect(tapRecordSchema.parse(r)).toEqual(r);
      expect(verifyTac(key, { terminalCode: 'BUS-TAC', ...r, cardCounter: r.cardCounter }, r.tac)).toBe(true);
      expect(verifyTac(key, { terminalCode: 'BUS-OTHER', ...r }, r.tac)).toBe(false);
    }
  });
});

describe('the queue survives a restart', () => {
  it('reloads unacknowledged records and carries on numbering, ignoring a torn last line', () => {
    const file = join(dir(), 'BUS-R.jsonl');
    const options = { kind: 'bus_validator' as const, code: 'BUS-R', queueFile: file };
    const t1 = terminal(options);
    const c = card();
    for (let i = 0; i < 5; i += 1) t1.tap(c, { kind: 'bus', distanceKm: 3 });
    t1.queue.acknowledge(2);
    const kept = t1.queue.peek(10);
    t1.close(); // the process "crashes" here; the journal is all that is left
    appendFileSync(file, '{"t":"rec","r":{"seq":6,"cardNo":"');
    const t2 = terminal(options);
    expect(t2.queue.tornLines).toBe(1);
    expect(t2.queue.peek(10)).toEqual(kept);
    expect(t2.queue.peek(10).map((r) => r.seq)).toEqual([3, 4, 5]);
    const next = t2.tap(c, { kind: 'bus', distanceKm: 3 });
    expect(next.ok && next.record.seq).toBe(6);
  });

  it('keeps the seq counter when every record was acknowledged', () => {
    const file = join(dir(), 'q.jsonl');
    const q1 = new TapQueue(file);
    const c = card();
    for (let seq = 1; seq <= 3; seq += 1) q1.append(c.debit({ terminalCode: 'T', seq, kind: 'pos', amountFen: 1, at: now(), fare: null }));
    q1.acknowledge(3);
    q1.close();
    const q2 = new TapQueue(file);
    expect(q2.length).toBe(0);
    expect(q2.nextSeq()).toBe(4);
    expect(q2.ackSeq).toBe(3);
    // Compaction on open left only the seq line.
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
    q2.close();
  });

  it('compacts the journal as acknowledgements pile up', () => {
    const file = join(dir(), 'c.jsonl');
    const q = new TapQueue(file, 10);
    const c = card({ balanceFen: 1_000 });
    for (let seq = 1; seq <= 30; seq += 1) {
      q.append(c.debit({ terminalCode: 'T', seq, kind: 'pos', amountFen: 1, at: now(), fare: null }));
      q.acknowledge(seq - 1);
    }
    expect(readFileSync(file, 'utf8').trim().split('\n').length).toBeLessThan(15);
    q.close();
    expect(new TapQueue(file).peek(5).map((r) => r.seq)).toEqual([30]);
  });
});

/** A stand-in server following the protocol: verifies TACs, settles each (terminal, seq) once, acks the contiguous prefix. */
class FakeServer implements TerminalApi {
  down = false;
  calls = 0;
  settled = new Map<string, TapRecord>();
  rejected: { seq: number; code: string }[] = [];
  denyVersion = 1;
  denied: string[] = [];
  forgeNextDelta = false;
  /** The `since` of every deny-list poll, in order. */
  denyListSince: number[] = [];
  actionList: CardAction[] = [];
  /** When set, the server pretends seqs above this never arrived. */
  loseAbove: number | null = null;

  constructor(private readonly codes: Map<string, string>) {}

  private gate(): void {
    this.calls += 1;
    if (this.down) throw new Error('connect ECONNREFUSED');
  }

  async uploadBatch(terminalId: string, body: BatchRequest): Promise<BatchResponse> {
    this.gate();
    let accepted = 0;
    let duplicates = 0;
    const rejected: BatchResponse['rejected'] = [];
    for (const r of body.records) {
      if (this.loseAbove !== null && r.seq > this.loseAbove) continue;
      const key = `${terminalId}:${r.seq}`;
      if (this.settled.has(key)) {
        duplicates += 1;
        continue;
      }
      const ok = verifyTac(deriveCardKey(MASTER, r.cardNo), { terminalCode: this.codes.get(terminalId)!, ...r }, r.tac);
      if (!ok) rejected.push({ seq: r.seq, code: 'TAC_INVALID' });
      else accepted += 1;
      this.settled.set(key, r);
    }
    this.rejected.push(...rejected);
    let ackSeq = 0;
    while (this.settled.has(`${terminalId}:${ackSeq + 1}`)) ackSeq += 1;
    return { ackSeq, accepted, duplicates, rejected, flagged: [] };
  }

  async denyList(_terminalId: string, since: number): Promise<DenyListDelta> {
    this.gate();
    this.denyListSince.push(since);
    const body = { version: this.denyVersion, fromVersion: since, full: since === 0, added: since === 0 ? this.denied : [], removed: [], issuedAt: now().toISOString() };
    const signed = signedDenyList(signer, body);
    if (this.forgeNextDelta) {
      this.forgeNextDelta = false;
      return { ...signed, added: ['FORGED'] };
    }
    return signed;
  }

  async actions(_terminalId: string, since: string | undefined): Promise<ActionsResponse> {
    this.gate();
    const from = Number(since ?? 0);
    return { cursor: String(this.actionList.length), actions: this.actionList.slice(from) };
  }
}

describe('uploading', () => {
  function setup(batchSize = 2) {
    const t = terminal({ kind: 'bus_validator', code: 'BUS-UP', batchSize, backoff: { baseMs: 1_000, maxMs: 8_000 } });
    const server = new FakeServer(new Map([[t.options.terminalId, 'BUS-UP']]));
    return { t, server };
  }

  it('uploads in batches and drops records only once acknowledged', async () => {
    const { t, server } = setup();
    const c = card();
    for (let i = 0; i < 5; i += 1) t.tap(c, { kind: 'bus', distanceKm: 3 });
    server.loseAbove = 3;
    expect(await t.sync(server)).toMatchObject({ ok: true });
    expect(t.queue.peek(10).map((r) => r.seq)).toEqual([4, 5]);
    server.loseAbove = null;
    await t.sync(server);
    expect(t.queue.length).toBe(0);
    expect(t.stats).toMatchObject({ acknowledged: 5, rejected: [] });
    expect(server.settled.size).toBe(5);
  });

  it('keeps deciding taps while the server is down, backing off exponentially, and catches up', async () => {
    const { t, server } = setup(100);
    const c = card();
    server.down = true;
    const delays: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      expect(t.tap(c, { kind: 'bus', distanceKm: 3 }).ok).toBe(true);
      const report = await t.sync(server);
      expect(report).toMatchObject({ attempted: true, ok: false });
      delays.push(report.nextAttemptAt!.getTime() - clockMs);
      // Before the back-off ends, sync does not call the server.
      const calls = server.calls;
      expect(await t.sync(server)).toMatchObject({ attempted: false });
      expect(server.calls).toBe(calls);
      clockMs = report.nextAttemptAt!.getTime();
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(t.queue.length).toBe(5);
    server.down = false;
    expect(await t.sync(server)).toMatchObject({ ok: true });
    expect(t.queue.length).toBe(0);
    expect(t.backoffUntil()).toBeNull();
  });

  it('re-uploads what a lost answer left queued, and the server counts duplicates', async () => {
    const { t, server } = setup(10);
    const c = card();
    for (let i = 0; i < 3; i += 1) t.tap(c, { kind: 'bus', distanceKm: 3 });
    const realUpload = server.uploadBatch.bind(server);
    server.uploadBatch = async (id, body) => {
      await realUpload(id, body);
      throw new Error('socket hang up'); // settled, but the answer never arrived
    };
    expect(await t.sync(server)).toMatchObject({ ok: false });
    expect(t.queue.length).toBe(3);
    server.uploadBatch = realUpload;
    await t.sync(server, { force: true });
    expect(t.queue.length).toBe(0);
    expect(t.stats.duplicates).toBe(3);
    expect(server.settled.size).toBe(3);
  });

  it('a record whose TAC does not verify is rejected by the server', async () => {
    const { t, server } = setup(10);
    const c = card();
    t.tap(c, { kind: 'bus', distanceKm: 3 });
    const [record] = t.queue.peek(1);
    record!.amountFen = 1; // tampered after signing
    await t.sync(server);
    expect(t.stats.rejected).toEqual([{ seq: 1, code: 'TAC_INVALID' }]);
    expect(t.queue.length).toBe(0);
  });

  it('refreshes the deny-list, refetching a full snapshot after a forged delta', async () => {
    const { t, server } = setup();
    const lost = card();
    server.denied = [lost.cardNo];
    await t.sync(server);
    expect(t.tap(lost, { kind: 'bus', distanceKm: 3 })).toEqual({ ok: false, reason: 'DENY_LISTED' });
    server.denyVersion = 2;
    server.forgeNextDelta = true;
    expect(await t.sync(server)).toMatchObject({ ok: true });
    expect(t.stats.denyListRefusals).toBe(1);
    expect(t.options.denyList.version).toBe(2);
    expect(t.options.denyList.has('FORGED')).toBe(false);
  });

  it('keeps its deny-list across a restart: denies offline at boot, and its first poll asks since=V', async () => {
    const queueFile = join(dir(), 'BUS-DL.jsonl');
    const persisted = () => new DenyListCache(publicKey, { file: denyListFileFor(queueFile) });
    const boot = () => terminal({ kind: 'bus_validator', code: 'BUS-DL', queueFile }, persisted());
    const lost = card();
    const server = new FakeServer(new Map());
    server.denied = [lost.cardNo];
    server.denyVersion = 7;
    const first = boot();
    expect(first.options.denyList.restored).toEqual({ from: 'none', reason: 'MISSING' });
    expect(await first.sync(server)).toMatchObject({ ok: true });
    expect(server.denyListSince).toEqual([0]);
    first.close();

    const second = boot();
    expect(second.options.denyList.restored).toEqual({ from: 'file', version: 7, size: 1 });
    // Before it reaches the server, the restarted terminal already refuses the lost card.
    expect(second.tap(lost, { kind: 'bus', distanceKm: 3 })).toEqual({ ok: false, reason: 'DENY_LISTED' });
    server.denyListSince = [];
    expect(await second.sync(server)).toMatchObject({ ok: true });
    expect(server.denyListSince).toEqual([7]);
    expect(second.options.denyList.version).toBe(7);
    second.close();
  });

  it('starts from a full snapshot when the kept deny-list file is corrupt', async () => {
    const queueFile = join(dir(), 'BUS-DLC.jsonl');
    const file = denyListFileFor(queueFile);
    const lost = card();
    const server = new FakeServer(new Map());
    server.denied = [lost.cardNo];
    server.denyVersion = 4;
    const first = terminal({ kind: 'bus_validator', code: 'BUS-DLC', queueFile }, new DenyListCache(publicKey, { file }));
    await first.sync(server);
    first.close();
    // One card number changed on disk: the digest no longer matches, so nothing from the file is trusted.
    writeFileSync(file, readFileSync(file, 'utf8').replace(lost.cardNo, '3000000000'));

    const second = terminal({ kind: 'bus_validator', code: 'BUS-DLC', queueFile }, new DenyListCache(publicKey, { file }));
    expect(second.options.denyList.restored).toEqual({ from: 'none', reason: 'CORRUPT' });
    expect(second.options.denyList.has('3000000000')).toBe(false);
    server.denyListSince = [];
    await second.sync(server);
    expect(server.denyListSince).toEqual([0]);
    expect(second.tap(lost, { kind: 'bus', distanceKm: 3 })).toEqual({ ok: false, reason: 'DENY_LISTED' });
  });

  it('fetches action-list entries and writes them at the next tap', async () => {
    const { t, server } = setup();
    const c = card({ balanceFen: 0 });
    server.actionList = [{ id: 'act-1', cardNo: c.cardNo, kind: 'top_up', amountFen: 1_000 }];
    await t.sync(server);
    await t.sync(server, { force: true }); // the cursor means no repeat
    expect(t.stats.actionsReceived).toBe(1);
    const res = t.tap(c, { kind: 'bus', distanceKm: 3 });
    expect(res.ok && res.record).toMatchObject({ appliedActionIds: ['act-1'], balanceAfterFen: 950 });
  });
});

describe('property: money and counters', () => {
  it('for random tap sequences, balance == initial + top-ups − sum(amounts), counters strictly increase', () => {
    const tapArb = fc.oneof(
      fc.record({ kind: fc.constant('bus' as const), distanceKm: fc.double({ min: 0, max: 60, noNaN: true }), line: fc.constantFrom('ordinary', 'express') }),
      fc.record({ kind: fc.constant('rail_entry' as const), station: fc.constantFrom('pingguoyuan', 'xidan', 'zhongguancun', 'guomao') }),
      fc.record({ kind: fc.constant('rail_exit' as const), station: fc.constantFrom('pingguoyuan', 'xidan', 'beijingnan', 'guomao') }),
      fc.record({ kind: fc.constant('pos' as const), amountFen: fc.integer({ min: 1, max: 3_000 }) }),
      fc.record({ kind: fc.constant('top_up' as const), amountFen: fc.integer({ min: 1, max: 5_000 }) }),
      fc.record({ kind: fc.constant('wait' as const), minutes: fc.integer({ min: 1, max: 60 * 24 * 10 }) }),
    );
    const bus = { ordinary: terminal({ kind: 'bus_validator', lineType: 'ordinary' }), express: terminal({ kind: 'bus_validator', lineType: 'express' }) };
    const gates = new Map<string, TerminalSimulator>();
    const gate = (station: string) => gates.get(station) ?? gates.set(station, terminal({ kind: 'rail_gate', station })).get(station)!;
    const pos = terminal({ kind: 'pos' });
    let n = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20_000 }), fc.array(tapArb, { maxLength: 40 }), (initial, taps) => {
        n += 1;
        const c = card({ cardNo: `4${String(n).padStart(9, '0')}`, balanceFen: initial, validUntil: null });
        let topUps = 0;
        let spent = 0;
        let lastCounter = 0;
        let actionNo = 0;
        for (const tap of taps) {
          let res;
          if (tap.kind === 'wait') {
            clockMs += tap.minutes * 60_000;
            continue;
          } else if (tap.kind === 'top_up') {
            actionNo += 1;
            pos.receiveActions([{ id: `${c.cardNo}-${actionNo}`, cardNo: c.cardNo, kind: 'top_up', amountFen: tap.amountFen }]);
            res = pos.tap(c, { kind: 'pos', amountFen: 1 });
            if (res.ok) topUps += tap.amountFen;
          } else if (tap.kind === 'bus') res = bus[tap.line as 'ordinary' | 'express'].tap(c, { kind: 'bus', distanceKm: tap.distanceKm });
          else if (tap.kind === 'pos') res = pos.tap(c, { kind: 'pos', amountFen: tap.amountFen });
          else res = gate(tap.station).tap(c, { kind: tap.kind });
          if (res.ok) {
            spent += res.record.amountFen;
            expect(res.record.cardCounter).toBeGreaterThan(lastCounter);
            lastCounter = res.record.cardCounter;
            expect(res.record.balanceAfterFen).toBe(c.balanceFen);
          }
          expect(c.balanceFen).toBeGreaterThanOrEqual(0);
        }
        expect(c.balanceFen).toBe(initial + topUps - spent);
      }),
      { numRuns: 150 },
    );
  });
});
