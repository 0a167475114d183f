import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulateOptions } from '../../src/cli/terminal.js';
import { accountCodes, ensureAccount, findAccountByCode, postTransaction } from '../../src/modules/ledger/ledger.js';
import { enqueueCardAction } from '../../src/modules/transit/action-list.js';
import { inTransaction } from '../../src/platform/db/database.js';
import type { CardState } from '../../terminal/card-simulator.js';
import { runSimulation } from '../../terminal/simulate.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * `onecard terminal simulate` end to end: the whole server listening on a real port, the
 * simulator talking to it over HTTP (terminal registration, login, uploads, deny-lists, action
 * lists, a loss report), then the server's shadow purses compared with the cards.
 */

let t: TestApp;
let url: string;
let operator: string;
const cards: { id: string; cardNo: string }[] = [];
const actor = { role: 'system', id: null } as const;

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date(Date.now() - 60_000));
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  operator = await t.factory.operatorToken();
  const school = await t.factory.newSchool();
  const clearing = await ensureAccount(t.ctx.db, t.clock, { code: accountCodes.clearing('alipay'), type: 'gateway_clearing', actor });
  for (let i = 0; i < 8; i += 1) {
    const student = await t.factory.newStudent({ schoolId: school.id });
    const card = await t.factory.newCard(student.id, { validUntil: '2099-09-30' });
    cards.push({ id: card.id, cardNo: card.card_no });
    const purse = await findAccountByCode(t.ctx.db, accountCodes.purse(card.id));
    const amountFen = 5_000 + i * 1_000;
    await postTransaction(t.ctx.db, t.clock, { idempotencyKey: `sim-topup-${card.id}`, type: 'top_up', postings: [{ accountId: clearing.id, debitFen: amountFen }, { accountId: purse.id, creditFen: amountFen }], actor });
    // Half the money was paid online and still has to be written to the card at its next tap.
    if (i % 2 === 1) await inTransaction(t.ctx.db, (tx) => enqueueCardAction(tx, t.clock, { cardId: card.id, kind: 'top_up', amountFen, source: `sim-test:${card.id}` }));
  }
}, 120_000);
afterAll(async () => t.close());

const serverBalance = async (cardId: string) =>
  ((await t.app.inject({ url: `/api/v1/cards/${cardId}`, headers: { authorization: `Bearer ${operator}` } })).json() as { balanceFen: number }).balanceFen;

describe('onecard terminal simulate', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'onecard-sim-'));
  console.log(`simulator state in ${stateDir}`);
  const lines: string[] = [];
  const options = (): SimulateOptions => ({
    url, operatorToken: operator, cards: 8, terminals: 5, stateDir, masterKey: t.ctx.config.secrets.cardMasterKey, seed: 11, tripsPerCard: 3,
    syncEveryMinutes: 20, offlineSpells: true, lostCard: true, log: (l) => lines.push(l),
  });

  it('runs a day of taps over HTTP: everything uploaded and settled, the lost card refused online and flagged offline', async () => {
    const summary = await runSimulation(options());
    expect(summary.cards).toBe(8);
    expect(summary.terminals).toBe(5);
    expect(summary.accepted).toBeGreaterThan(10);
    expect(summary.stillQueued).toBe(0);
    expect(summary.acknowledged).toBe(summary.accepted);
    expect(summary.rejected).toEqual({});
    expect(summary.actionsApplied).toBeGreaterThan(0);
    expect(summary.lostCard).toEqual(expect.objectContaining({ deniedOnline: true, acceptedOffline: true, flaggedAfterDeny: true }));
    // Settled-but-flagged only for the lost card and for counters that arrived out of order (a
    // card tapped at a terminal that uploaded later than the next one it tapped at).
    expect(Object.keys(summary.flagged).filter((code) => code !== 'AFTER_DENY' && code !== 'COUNTER_GAP')).toEqual([]);
    expect(summary.flagged.AFTER_DENY).toBe(1);
    expect(lines.join('\n')).toContain('taps ');
    writeFileSync(join(stateDir, 'run-1.log'), lines.join('\n'));
  }, 180_000);

  it('leaves every shadow purse equal to its card (plus top-ups not yet written to it)', async () => {
    const state = JSON.parse(readFileSync(join(stateDir, 'sim-state.json'), 'utf8')) as { cards: Record<string, CardState> };
    for (const c of cards) {
      const onCard = state.cards[c.cardNo]!;
      const pending = onCard.appliedActionIds.length === 0 && cards.indexOf(c) % 2 === 1 ? 5_000 + cards.indexOf(c) * 1_000 : 0;
      expect(await serverBalance(c.id)).toBe(onCard.balanceFen + pending);
    }
  });

  it('resumes from its state dir: the same terminals and cards, no replays', async () => {
    lines.length = 0;
    const summary = await runSimulation({ ...options(), seed: 12, lostCard: false });
    expect(summary.stillQueued).toBe(0);
    expect(summary.rejected).toEqual({});
    expect(Object.keys(summary.flagged).filter((code) => code !== 'COUNTER_GAP')).toEqual([]);
    const state = JSON.parse(readFileSync(join(stateDir, 'sim-state.json'), 'utf8')) as { terminals: unknown[] };
    expect(state.terminals).toHaveLength(5);
    const listed = (await t.app.inject({ url: '/api/v1/admin/terminals', headers: { authorization: `Bearer ${operator}` } })).json() as { items: unknown[] };
    expect(listed.items).toHaveLength(5);
  }, 180_000);
});
