import type { RiderCategory } from '../src/domain/fares.js';
import { computeTac, deriveCardKey } from '../src/domain/transit-crypto.js';
import type { CardAction, TapFare, TapKind, TapRecord } from '../src/modules/transit/protocol.js';

/**
 * A stored-value transit card (chip or phone secure element) as a terminal sees it. The balance,
 * the transaction counter, the validity and the month's rail spend live ON the card; the card
 * signs every debit with its TAC, so the server can check that a real card took part.
 */

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;

/**
 * 'YYYY-MM-DD' in Asia/Shanghai. China has kept UTC+8 without daylight saving since 1991, so a
 * fixed offset is exact for any tap a terminal makes and far cheaper than Intl on the tap path
 * (test/unit/terminal-card.test.ts checks it against src/domain/calendar.ts shanghaiDate).
 */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** 'YYYY-MM' in Asia/Shanghai: the rail monthly discount's calendar month. */
export function shanghaiMonth(at: Date): string {
  return shanghaiDay(at).slice(0, 7);
}

export interface PendingEntry {
  station: string;
  terminalCode: string;
  at: string;
}

/** Everything the card stores; plain JSON so a simulator can save and reload its cards. */
export interface CardState {
  cardNo: string;
  category: Exclude<RiderCategory, 'cash'>;
  balanceFen: number;
  /** Counter of the last debit; the next tap carries counter + 1. */
  counter: number;
  /** Last valid day, 'YYYY-MM-DD' (Asia/Shanghai), or null for no end. */
  validUntil: string | null;
  /** The calendar month (Asia/Shanghai, 'YYYY-MM') railMonthSpentFen belongs to. */
  railMonth: string | null;
  railMonthSpentFen: number;
  pendingEntry: PendingEntry | null;
  /** Action-list entries already written to this card (so a second terminal does not repeat one). */
  appliedActionIds: string[];
}

/** The card remembers this many applied actions; older ones are long confirmed by the server. */
const REMEMBERED_ACTIONS = 64;
/** A tap writes at most this many actions (the record's appliedActionIds limit); the rest wait for the next tap. */
export const MAX_ACTIONS_PER_TAP = 32;

export class CardError extends Error {
  constructor(readonly code: 'INSUFFICIENT_BALANCE' | 'AMOUNT_INVALID', message: string) {
    super(message);
  }
}

export interface DebitInput {
  terminalCode: string;
  seq: number;
  kind: TapKind;
  amountFen: number;
  at: Date;
  fare: TapFare | null;
  /** Actions written in this same card transaction, listed on the record. */
  appliedActionIds?: string[];
}

export class SimulatedCard {
  private readonly key: Buffer;
  private s: CardState;

  /** `masterKey` is the issuer master key (config secrets.cardMasterKey); the card holds only its derived key. */
  constructor(masterKey: string, init: Partial<CardState> & { cardNo: string }) {
    this.key = deriveCardKey(masterKey, init.cardNo);
    this.s = {
      category: 'student',
      balanceFen: 0,
      counter: 0,
      validUntil: null,
      railMonth: null,
      railMonthSpentFen: 0,
      pendingEntry: null,
      appliedActionIds: [],
      ...init,
    };
  }

  get cardNo(): string {
    return this.s.cardNo;
  }
  get balanceFen(): number {
    return this.s.balanceFen;
  }
  get counter(): number {
    return this.s.counter;
  }
  get validUntil(): string | null {
    return this.s.validUntil;
  }
  get category(): CardState['category'] {
    return this.s.category;
  }
  get pendingEntry(): PendingEntry | null {
    return this.s.pendingEntry;
  }

  /** A copy of the stored state. */
  state(): CardState {
    return structuredClone(this.s);
  }

  /** The month's rail spend before a ride at `at`: 0 once a new calendar month began. */
  railMonthSpentFen(at: Date): number {
    return this.s.railMonth === shanghaiMonth(at) ? this.s.railMonthSpentFen : 0;
  }

  hasApplied(actionId: string): boolean {
    return this.s.appliedActionIds.includes(actionId);
  }

  /**
   * What the card would look like after writing `actions` (not yet written): the terminal decides
   * the tap on this, then writes actions and debit in one card transaction, or nothing at all.
   */
  preview(actions: readonly CardAction[]): { balanceFen: number; validUntil: string | null; applicable: CardAction[] } {
    let balanceFen = this.s.balanceFen;
    let validUntil = this.s.validUntil;
    const applicable: CardAction[] = [];
    for (const a of actions) {
      if (applicable.length >= MAX_ACTIONS_PER_TAP) break;
      if (a.cardNo !== this.s.cardNo || this.hasApplied(a.id) || applicable.some((x) => x.id === a.id)) continue;
      if (a.kind === 'top_up' && a.amountFen !== undefined && a.amountFen > 0) balanceFen += a.amountFen;
      else if (a.kind === 'extend' && a.validUntil !== undefined) validUntil = validUntil === null || a.validUntil > validUntil ? a.validUntil : validUntil;
      else continue;
      applicable.push(a);
    }
    return { balanceFen, validUntil, applicable };
  }

  /** Writes action-list entries (top-up raises the balance; extend moves validUntil later). Returns the ids written. */
  applyActions(actions: readonly CardAction[]): string[] {
    const { balanceFen, validUntil, applicable } = this.preview(actions);
    this.s.balanceFen = balanceFen;
    this.s.validUntil = validUntil;
    const ids = applicable.map((a) => a.id);
    this.s.appliedActionIds = [...this.s.appliedActionIds, ...ids].slice(-REMEMBERED_ACTIONS);
    return ids;
  }

  setPendingEntry(entry: PendingEntry | null): void {
    this.s.pendingEntry = entry;
  }

  /**
   * Takes `amountFen` off the card, steps the counter, adds a rail fare to the month's spend, and
   * returns the TapRecord signed with the card's TAC. Refuses (CardError) to go below zero.
   */
  debit(input: DebitInput): TapRecord {
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen < 0) throw new CardError('AMOUNT_INVALID', `bad amount ${input.amountFen}`);
    if (input.amountFen > this.s.balanceFen) throw new CardError('INSUFFICIENT_BALANCE', `balance ${this.s.balanceFen} < ${input.amountFen}`);
    const at = input.at.toISOString();
    const counter = this.s.counter + 1;
    const balanceAfterFen = this.s.balanceFen - input.amountFen;
    const tac = computeTac(this.key, { terminalCode: input.terminalCode, cardNo: this.s.cardNo, cardCounter: counter, amountFen: input.amountFen, balanceAfterFen, at });
    this.s.counter = counter;
    this.s.balanceFen = balanceAfterFen;
    if (input.fare?.mode === 'rail' && input.amountFen > 0) {
      const month = shanghaiMonth(input.at);
      this.s.railMonthSpentFen = this.railMonthSpentFen(input.at) + input.amountFen;
      this.s.railMonth = month;
    }
    return {
      seq: input.seq,
      cardNo: this.s.cardNo,
      cardCounter: counter,
      kind: input.kind,
      amountFen: input.amountFen,
      balanceAfterFen,
      at,
      fare: input.fare,
      appliedActionIds: input.appliedActionIds ?? [],
      tac,
    };
  }
}
