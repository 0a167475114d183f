import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTac, deriveCardKey } from '../../src/domain/transit-crypto.js';
import { accountCodes, checkLedger } from '../../src/modules/ledger/ledger.js';
import type { TapRecord } from '../../src/modules/transit/protocol.js';
import { operatorSlug, settleBatch, transitSuspenseCode, type UploadingTerminal } from '../../src/modules/transit/settle-batch.js';
import { newId } from '../../src/platform/ids.js';
import { accountBalance, purseBalance } from '../api/transit-support.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { fund } from '../support/money.js';

/**
 * Settlement under any upload history: batches in any order, records duplicated inside and across
 * batches, whole re-uploads, replays of a signed tap under a new seq. Whatever happened, once
 * every record has arrived: each real tap is settled exactly once, the fare revenue is the sum of
 * the fares, each purse lost exactly min(its funds, its card's fares) (the rest is in suspense),
 * money is conserved and the ledger check is clean.
 */

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

let run = 0;

async function newTerminal(operator: string): Promise<UploadingTerminal> {
  const id = newId();
  const code = `P-${process.pid}-${++run}-${id.slice(-4)}`;
  await t.ctx.db.insertInto('terminals').values({ id, code, kind: 'bus_validator', operator, location: null, secret_hash: 'x', created_at: t.ctx.clock.now() }).execute();
  return { id, code, operator };
}

const tapsArb = fc.array(
  fc.record({ card: fc.nat({ max: 2 }), terminal: fc.nat({ max: 1 }), amountFen: fc.integer({ min: 0, max: 300 }) }),
  { minLength: 1, maxLength: 25 },
);

const historyArb = tapsArb.chain((taps) =>
  fc.record({
    taps: fc.constant(taps),
    funds: fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2000 })),
    // Upload steps: which records (by index, with repeats) go in each batch, per terminal.
    batches: fc.array(fc.record({ terminal: fc.nat({ max: 1 }), picks: fc.array(fc.nat({ max: taps.length - 1 }), { minLength: 1, maxLength: 8 }) }), { maxLength: 6 }),
    replays: fc.array(fc.nat({ max: taps.length - 1 }), { maxLength: 3 }),
    finalOrder: fc.boolean(),
  }),
);

describe('settlement properties', () => {
  it('settles each tap once and conserves money under duplicates, re-uploads, replays and any order', { timeout: 240_000 }, async () => {
    const masterKey = t.ctx.config.secrets.cardMasterKey;
    await fc.assert(
      fc.asyncProperty(historyArb, async ({ taps, funds, batches, replays, finalOrder }) => {
        const operator = `prop-${newId().slice(-12)}`;
        const terminals = [await newTerminal(operator), await newTerminal(operator)];
        const cards: Awaited<ReturnType<typeof t.factory.newCard>>[] = [];
        for (const f of funds) {
          const card = await t.factory.newCard((await t.factory.newStudent()).id);
          if (f > 0) await fund(t, card.id, f);
          cards.push(card);
        }
        // The real taps: each card's counter and balance advance; each terminal numbers its records.
        const counters = [0, 0, 0];
        const balances = [...funds];
        const seqs = [0, 0];
        const records: { terminal: number; record: TapRecord }[] = taps.map((tap) => {
          const terminal = terminals[tap.terminal]!;
          const card = cards[tap.card]!;
          const cardCounter = ++counters[tap.card]!;
          const balanceAfterFen = (balances[tap.card]! -= tap.amountFen);
          const seq = ++seqs[tap.terminal]!;
          const at = new Date(Date.parse('2026-11-23T01:00:00Z') + seq * 60_000).toISOString();
          const tac = computeTac(deriveCardKey(masterKey, card.card_no), { terminalCode: terminal.code, cardNo: card.card_no, cardCounter, amountFen: tap.amountFen, balanceAfterFen, at });
          return { terminal: tap.terminal, record: { seq, cardNo: card.card_no, cardCounter, kind: 'bus', amountFen: tap.amountFen, balanceAfterFen, at, fare: null, appliedActionIds: [], tac } };
        });
        // Replays: a signed tap sent again by its terminal under a new seq.
        const replayed = replays.map((i) => {
          const original = records[i]!;
          return { terminal: original.terminal, record: { ...original.record, seq: ++seqs[original.terminal]! } };
        });
        const all = [...records, ...replayed];
        const upload = (terminal: number, recs: TapRecord[]) =>
          recs.length === 0 ? null : settleBatch(t.ctx, terminals[terminal]!, { batchId: randomUUID(), records: recs }, { role: 'terminal', id: terminals[terminal]!.id }, null);

        for (const b of batches) {
          const recs = b.picks.map((i) => all[i % all.length]!).filter((r) => r.terminal === b.terminal).map((r) => r.record);
          await upload(b.terminal, recs);
        }
        // Finally every terminal uploads everything it has (in either order), twice.
        for (let pass = 0; pass < 2; pass++) {
          for (const ti of finalOrder ? [1, 0] : [0, 1]) {
            const answer = await upload(ti, all.filter((r) => r.terminal === ti).map((r) => r.record));
            if (answer) expect(answer.ackSeq).toBe(seqs[ti]);
            if (answer && pass === 1) expect(answer.accepted).toBe(0);
          }
        }

        const settled = await t.ctx.db.selectFrom('transit_taps').select(['card_id', 'card_counter', 'amount_fen', 'outcome', 'code'])
          .where('terminal_id', 'in', terminals.map((x) => x.id)).execute();
        // Every record stored once; every real tap settled once; replays (never a second settlement) rejected.
        expect(settled.length).toBe(all.length);
        const settledKeys = settled.filter((s) => s.outcome === 'settled').map((s) => `${s.card_id}:${s.card_counter}`);
        expect(new Set(settledKeys).size).toBe(settledKeys.length);
        expect(settledKeys.length).toBe(records.length);
        expect(settled.filter((s) => s.outcome === 'rejected').every((s) => s.code === 'COUNTER_REPLAY')).toBe(true);

        const spent = [0, 0, 0];
        for (const tap of taps) spent[tap.card]! += tap.amountFen;
        const total = spent.reduce((a, b) => a + b, 0);
        expect(await accountBalance(t, accountCodes.fareRevenue(operatorSlug(operator)))).toBe(total);
        let shortfall = 0;
        for (const [i, card] of cards.entries()) {
          const taken = Math.min(funds[i]!, spent[i]!);
          shortfall += spent[i]! - taken;
          expect(await purseBalance(t, card.id)).toBe(funds[i]! - taken);
        }
        const stored = await t.ctx.db.selectFrom('transit_taps').select((eb) => eb.fn.sum<number>('shortfall_fen').as('s')).where('terminal_id', 'in', terminals.map((x) => x.id)).executeTakeFirstOrThrow();
        expect(Number(stored.s ?? 0)).toBe(shortfall);
      }),
      { numRuns: 20 },
    );
    expect((await checkLedger(t.ctx.db)).violations).toEqual([]);
    // Money is conserved: every account's balance sums to zero across the ledger (debits = credits).
    const totals = await t.ctx.db.selectFrom('ledger_accounts').select((eb) => [eb.fn.sum<number>('debits_posted_fen').as('d'), eb.fn.sum<number>('credits_posted_fen').as('c')]).executeTakeFirstOrThrow();
    expect(Number(totals.d)).toBe(Number(totals.c));
    expect(await accountBalance(t, transitSuspenseCode)).toBeLessThanOrEqual(0);
  });
});
