import { quoteFare, type BusLineType, type FareQuote } from '../src/domain/fares.js';
import { validityOn } from '../src/domain/validity.js';
import type { ActionsResponse, BatchRequest, BatchResponse, CardAction, DenyListDelta, TapFare, TapKind, TapRecord } from '../src/modules/transit/protocol.js';
import { CardError, shanghaiDay, type SimulatedCard } from './card-simulator.js';
import type { DenyListCache } from './deny-list-cache.js';
import { stationById, stationDistanceKm } from './stations.js';
import { TapQueue } from './tap-queue.js';

/**
 * A validator or gate that decides every tap OFFLINE, from what it holds: the deny-list, the
 * card's own validity, balance and month's rail spend, and the fare rules. It debits the card,
 * keeps the signed record in a durable queue numbered by a per-terminal seq, and, whenever the
 * server answers, uploads in batches, drops what the server acknowledged (ackSeq) and refreshes
 * its deny-list and action list. When the server is down it keeps deciding taps and retries with
 * exponential back-off.
 */

export type SimTerminalKind = 'bus_validator' | 'rail_gate' | 'pos';

export type TapRequest =
  | { kind: 'bus'; distanceKm: number }
  | { kind: 'rail_entry' }
  | { kind: 'rail_exit' }
  | { kind: 'pos'; amountFen: number };

export type DenyReason = 'DENY_LISTED' | 'EXPIRED' | 'INSUFFICIENT_BALANCE' | 'NO_ENTRY' | 'ENTRY_PENDING' | 'WRONG_TERMINAL' | 'FARE_ERROR';

export type TapDecision =
  | { ok: true; record: TapRecord; explanation: string | null }
  | { ok: false; reason: DenyReason };

/** What the terminal needs from the server (terminal/client.ts implements it over HTTP). */
export interface TerminalApi {
  uploadBatch(terminalId: string, body: BatchRequest): Promise<BatchResponse>;
  denyList(terminalId: string, since: number): Promise<DenyListDelta>;
  actions(terminalId: string, since: string | undefined): Promise<ActionsResponse>;
}

export interface TerminalOptions {
  terminalId: string;
  code: string;
  kind: SimTerminalKind;
  /** The JSON-lines journal of this terminal's unacknowledged records. */
  queueFile: string;
  denyList: DenyListCache;
  now: () => Date;
  /** Bus validators: the line type (the student rate is for ordinary lines only). */
  lineType?: BusLineType;
  /** Rail gates: the station id (terminal/stations.ts). */
  station?: string;
  batchSize?: number;
  backoff?: { baseMs: number; maxMs: number };
  random?: () => number;
  newBatchId: () => string;
}

/** A rail entry older than this no longer pairs with an exit; the next entry replaces it. */
export const MAX_JOURNEY_MS = 4 * 3600 * 1000;

export interface TerminalStats {
  taps: number;
  accepted: number;
  denied: Record<DenyReason, number>;
  /** Records in batches the server answered, counting re-sends. */
  uploaded: number;
  acknowledged: number;
  duplicates: number;
  rejected: { seq: number; code: string }[];
  flagged: { seq: number; code: string }[];
  uploadFailures: number;
  denyListRefusals: number;
  actionsReceived: number;
  actionsApplied: number;
}

export interface SyncReport {
  attempted: boolean;
  ok: boolean;
  error?: string;
  nextAttemptAt?: Date;
}

const emptyDenied = (): Record<DenyReason, number> => ({
  DENY_LISTED: 0, EXPIRED: 0, INSUFFICIENT_BALANCE: 0, NO_ENTRY: 0, ENTRY_PENDING: 0, WRONG_TERMINAL: 0, FARE_ERROR: 0,
});

interface Priced {
  kind: TapKind;
  amountFen: number;
  fare: TapFare | null;
  explanation: string | null;
  entry?: 'set' | 'clear';
}

export class TerminalSimulator {
  readonly queue: TapQueue;
  readonly stats: TerminalStats = {
    taps: 0, accepted: 0, denied: emptyDenied(), uploaded: 0, acknowledged: 0, duplicates: 0, rejected: [], flagged: [],
    uploadFailures: 0, denyListRefusals: 0, actionsReceived: 0, actionsApplied: 0,
  };
  private readonly pendingActions = new Map<string, CardAction[]>();
  private actionsCursor: string | undefined;
  private failures = 0;
  private nextAttemptAt = 0;

  constructor(readonly options: TerminalOptions) {
    if (options.kind === 'rail_gate' && !(options.station && stationById(options.station))) throw new Error(`rail gate ${options.code} needs a known station`);
    this.queue = new TapQueue(options.queueFile);
  }

  get code(): string {
    return this.options.code;
  }

  /** Decides one tap offline; on success the card is debited and the signed record is queued (fsync'd). */
  tap(card: SimulatedCard, request: TapRequest): TapDecision {
    const at = this.options.now();
    this.stats.taps += 1;
    const decision = this.decide(card, request, at);
    if (!decision.ok) {
      this.stats.denied[decision.reason] += 1;
      return decision;
    }
    const { priced, actions } = decision;
    const appliedActionIds = card.applyActions(actions);
    let record: TapRecord;
    try {
      record = card.debit({ terminalCode: this.options.code, seq: this.queue.nextSeq(), kind: priced.kind, amountFen: priced.amountFen, at, fare: priced.fare, appliedActionIds });
    } catch (error) {
      // decide() checked the balance; only a card changed under our feet gets here.
      if (error instanceof CardError) {
        this.stats.denied.INSUFFICIENT_BALANCE += 1;
        return { ok: false, reason: 'INSUFFICIENT_BALANCE' };
      }
      throw error;
    }
    if (priced.entry === 'set') card.setPendingEntry({ station: this.options.station!, terminalCode: this.options.code, at: record.at });
    if (priced.entry === 'clear') card.setPendingEntry(null);
    this.queue.append(record);
    this.dropActions(card);
    this.stats.accepted += 1;
    this.stats.actionsApplied += appliedActionIds.length;
    return { ok: true, record, explanation: priced.explanation };
  }

  /**
   * The decision alone, without touching the card or the queue: deny-list, then validity and
   * balance as they will be once pending actions (online top-ups, extensions) are written, then
   * the fare.
   */
  decide(card: SimulatedCard, request: TapRequest, at: Date): { ok: true; priced: Priced; actions: CardAction[] } | { ok: false; reason: DenyReason } {
    if (this.options.denyList.has(card.cardNo)) return { ok: false, reason: 'DENY_LISTED' };
    const view = card.preview(this.pendingActions.get(card.cardNo) ?? []);
    const day = shanghaiDay(at);
    // Past its last valid day the card still rides through its grace period (docs/decisions/0008).
    if (validityOn(view.validUntil, day) === 'expired') return { ok: false, reason: 'EXPIRED' };
    const priced = this.price(card, request, at, day);
    if ('reason' in priced) return { ok: false, reason: priced.reason };
    if (priced.amountFen > view.balanceFen) return { ok: false, reason: 'INSUFFICIENT_BALANCE' };
    if (request.kind === 'rail_entry' && view.balanceFen < this.minRailFareFen(day)) return { ok: false, reason: 'INSUFFICIENT_BALANCE' };
    return { ok: true, priced, actions: view.applicable };
  }

  private price(card: SimulatedCard, request: TapRequest, at: Date, day: string): Priced | { reason: DenyReason } {
    const kind = this.options.kind;
    try {
      switch (request.kind) {
        case 'bus': {
          if (kind !== 'bus_validator') return { reason: 'WRONG_TERMINAL' };
          const lineType = this.options.lineType ?? 'ordinary';
          const q = quoteFare({ mode: 'bus', distanceKm: request.distanceKm, category: card.category, lineType, date: day });
          return { kind: 'bus', amountFen: q.fareFen, fare: fareOf(q, { mode: 'bus', category: card.category, lineType, distanceKm: request.distanceKm }), explanation: q.explanation.zh };
        }
        case 'rail_entry': {
          if (kind !== 'rail_gate') return { reason: 'WRONG_TERMINAL' };
          const pending = card.pendingEntry;
          if (pending && at.getTime() - Date.parse(pending.at) < MAX_JOURNEY_MS) return { reason: 'ENTRY_PENDING' };
          return { kind: 'rail_entry', amountFen: 0, fare: null, explanation: null, entry: 'set' };
        }
        case 'rail_exit': {
          if (kind !== 'rail_gate') return { reason: 'WRONG_TERMINAL' };
          const pending = card.pendingEntry;
          if (!pending || at.getTime() - Date.parse(pending.at) >= MAX_JOURNEY_MS) return { reason: 'NO_ENTRY' };
          const distanceKm = stationDistanceKm(pending.station, this.options.station!);
          const monthSpentBeforeFen = card.railMonthSpentFen(at);
          const q = quoteFare({ mode: 'rail', distanceKm, category: card.category, monthSpentFen: monthSpentBeforeFen, date: day });
          const fare = fareOf(q, { mode: 'rail', category: card.category, distanceKm, monthSpentBeforeFen, entryStation: pending.station, exitStation: this.options.station! });
          return { kind: 'rail_exit', amountFen: q.fareFen, fare, explanation: q.explanation.zh, entry: 'clear' };
        }
        case 'pos':
          if (kind !== 'pos') return { reason: 'WRONG_TERMINAL' };
          if (!Number.isSafeInteger(request.amountFen) || request.amountFen <= 0) return { reason: 'FARE_ERROR' };
          return { kind: 'pos', amountFen: request.amountFen, fare: null, explanation: null };
      }
    } catch {
      return { reason: 'FARE_ERROR' };
    }
  }

  private minRailFareCache: { day: string; fen: number } | null = null;

  /** A card must hold at least the lowest rail fare to pass an entry gate. */
  private minRailFareFen(day: string): number {
    if (this.minRailFareCache?.day !== day) this.minRailFareCache = { day, fen: quoteFare({ mode: 'rail', distanceKm: 0, category: 'cash', date: day }).fullFareFen };
    return this.minRailFareCache.fen;
  }

  private dropActions(card: SimulatedCard): void {
    const left = (this.pendingActions.get(card.cardNo) ?? []).filter((a) => !card.hasApplied(a.id));
    if (left.length === 0) this.pendingActions.delete(card.cardNo);
    else this.pendingActions.set(card.cardNo, left);
  }

  /** Action-list entries waiting for their card to tap here. */
  pendingActionCount(): number {
    let n = 0;
    for (const list of this.pendingActions.values()) n += list.length;
    return n;
  }

  /** Adds action-list entries (online top-ups, extensions) to write to cards at their next tap here. */
  receiveActions(actions: readonly CardAction[]): void {
    for (const a of actions) {
      const list = this.pendingActions.get(a.cardNo) ?? [];
      if (!list.some((x) => x.id === a.id)) list.push(a);
      this.pendingActions.set(a.cardNo, list);
    }
    this.stats.actionsReceived += actions.length;
  }

  /** When the next sync may talk to the server (after failures, exponential back-off). */
  backoffUntil(): Date | null {
    return this.failures > 0 ? new Date(this.nextAttemptAt) : null;
  }

  /**
   * Talks to the server if back-off allows: uploads every queued record in batches (dropping
   * what ackSeq covers), then refreshes the deny-list and the action list. Never throws: a
   * failure schedules the next attempt and the terminal keeps deciding taps offline.
   */
  async sync(api: TerminalApi, options: { force?: boolean } = {}): Promise<SyncReport> {
    const now = this.options.now().getTime();
    if (!options.force && now < this.nextAttemptAt) return { attempted: false, ok: false, nextAttemptAt: new Date(this.nextAttemptAt) };
    try {
      await this.upload(api);
      await this.refreshDenyList(api);
      await this.refreshActions(api);
      this.failures = 0;
      this.nextAttemptAt = 0;
      return { attempted: true, ok: true };
    } catch (error) {
      this.failures += 1;
      this.stats.uploadFailures += 1;
      const { baseMs, maxMs } = this.options.backoff ?? { baseMs: 1_000, maxMs: 5 * 60_000 };
      const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(this.failures - 1, 30));
      // Full jitter in the upper half, so terminals that lost the server together do not return together.
      const delay = ceiling / 2 + (ceiling / 2) * (this.options.random ?? Math.random)();
      this.nextAttemptAt = now + delay;
      return { attempted: true, ok: false, error: error instanceof Error ? error.message : String(error), nextAttemptAt: new Date(this.nextAttemptAt) };
    }
  }

  private async upload(api: TerminalApi): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    for (;;) {
      const records = this.queue.peek(batchSize);
      if (records.length === 0) return;
      const res = await api.uploadBatch(this.options.terminalId, { batchId: this.options.newBatchId(), records });
      this.stats.uploaded += records.length;
      this.stats.duplicates += res.duplicates;
      this.stats.rejected.push(...res.rejected);
      this.stats.flagged.push(...res.flagged);
      const dropped = this.queue.acknowledge(res.ackSeq);
      this.stats.acknowledged += dropped;
      // The server settled nothing new from this batch (say, a seq gap it waits on): try later.
      if (dropped === 0) return;
    }
  }

  private async refreshDenyList(api: TerminalApi): Promise<void> {
    const cache = this.options.denyList;
    const outcome = cache.apply(await api.denyList(this.options.terminalId, cache.since()));
    if (!outcome.applied) {
      this.stats.denyListRefusals += 1;
      const full = cache.apply(await api.denyList(this.options.terminalId, 0));
      if (!full.applied) {
        this.stats.denyListRefusals += 1;
        throw new Error(`deny-list snapshot refused: ${full.reason}`);
      }
    }
  }

  private async refreshActions(api: TerminalApi): Promise<void> {
    const res = await api.actions(this.options.terminalId, this.actionsCursor);
    this.receiveActions(res.actions);
    this.actionsCursor = res.cursor;
  }

  close(): void {
    this.queue.close();
  }
}

function fareOf(q: FareQuote, base: Omit<TapFare, 'fullFareFen' | 'fareFen' | 'rule'>): TapFare {
  return { ...base, fullFareFen: q.fullFareFen, fareFen: q.fareFen, rule: q.rule };
}
