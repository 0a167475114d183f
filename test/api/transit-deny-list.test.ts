import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { denyListPublicKey, verifyDenyList } from '../../src/domain/transit-crypto.js';
import { changeCardStatus } from '../../src/modules/cards/card-status.js';
import type { DenyListDelta } from '../../src/modules/transit/protocol.js';
import { systemActor } from '../../src/platform/audit.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { newTerminal, type TestTerminal } from './transit-support.js';

let t: TestApp;
let operatorToken: string;
let terminal: TestTerminal;
let publicKeyPem: string;
beforeAll(async () => {
  t = await createTestApp();
  operatorToken = await t.factory.operatorToken();
  terminal = await newTerminal(t, operatorToken);
  const me = await t.app.inject({ method: 'GET', url: '/api/v1/terminal/me', headers: { authorization: `Bearer ${terminal.token}` } });
  expect(me.statusCode).toBe(200);
  publicKeyPem = (me.json() as { denyListPublicKey: string }).denyListPublicKey;
});
afterAll(async () => t.close());

async function poll(since: number, as: TestTerminal = terminal, forTerminal: TestTerminal = terminal) {
  return t.app.inject({ method: 'GET', url: `/api/v1/terminals/${forTerminal.id}/deny-list?since=${since}`, headers: { authorization: `Bearer ${as.token}` } });
}

async function delta(since: number): Promise<DenyListDelta> {
  const res = await poll(since);
  expect(res.statusCode).toBe(200);
  return res.json() as DenyListDelta;
}

const newCard = async () => t.factory.newCard((await t.factory.newStudent()).id);
const status = (cardId: string, event: 'report_loss' | 'unloss') => changeCardStatus(t.ctx.db, t.ctx.clock, { cardId, event, reason: 'test', actor: systemActor, requestId: null });

describe('GET /terminals/{terminalId}/deny-list', () => {
  it('gives the full signed list at since=0, and the public key in /terminal/me verifies it', async () => {
    const lost = await newCard();
    const fine = await newCard();
    await status(lost.id, 'report_loss');
    const full = await delta(0);
    expect(full.full).toBe(true);
    expect(full.fromVersion).toBe(0);
    expect(full.added).toContain(lost.card_no);
    expect(full.added).not.toContain(fine.card_no);
    expect(full.removed).toEqual([]);
    expect(verifyDenyList(denyListPublicKey(publicKeyPem), full)).toBe(true);
    // A changed body no longer verifies.
    expect(verifyDenyList(denyListPublicKey(publicKeyPem), { ...full, added: [...full.added, fine.card_no] })).toBe(false);
  });

  it('gives a delta from a version: a loss report appears at the next poll, an unloss removes the card', async () => {
    const before = await delta(0);
    const card = await newCard();
    await status(card.id, 'report_loss');
    const afterLoss = await delta(before.version);
    expect(afterLoss).toMatchObject({ full: false, fromVersion: before.version, added: [card.card_no], removed: [] });
    expect(afterLoss.version).toBeGreaterThan(before.version);
    expect(verifyDenyList(denyListPublicKey(publicKeyPem), afterLoss)).toBe(true);

    // Nothing new: an empty delta at the same version, still signed.
    const idle = await delta(afterLoss.version);
    expect(idle).toMatchObject({ version: afterLoss.version, full: false, added: [], removed: [] });
    expect(verifyDenyList(denyListPublicKey(publicKeyPem), idle)).toBe(true);

    await status(card.id, 'unloss');
    const afterUnloss = await delta(afterLoss.version);
    expect(afterUnloss).toMatchObject({ full: false, added: [], removed: [card.card_no] });
    // Lost and found again between two polls: no change for that terminal at all.
    const other = await newCard();
    const v = (await delta(afterUnloss.version)).version;
    await status(other.id, 'report_loss');
    await status(other.id, 'unloss');
    expect(await delta(v)).toMatchObject({ added: [], removed: [] });
  });

  it('applying deltas in sequence gives the same list as a full snapshot', async () => {
    const cards = await Promise.all([newCard(), newCard(), newCard()]);
    let list = new Set((await delta(0)).added);
    let version = (await delta(0)).version;
    for (const [i, card] of cards.entries()) {
      await status(card.id, 'report_loss');
      if (i === 1) await status(cards[0]!.id, 'unloss');
      const d = await delta(version);
      for (const no of d.added) list.add(no);
      for (const no of d.removed) list.delete(no);
      version = d.version;
    }
    list = new Set([...list].sort());
    expect([...list]).toEqual([...new Set((await delta(0)).added)].sort());
  });

  it('sends the full list to a terminal that is ahead of the server', async () => {
    const head = (await delta(0)).version;
    const ahead = await delta(head + 1000);
    expect(ahead.full).toBe(true);
    expect(ahead.version).toBe(head);
  });

  it('records the version the terminal polled, shown in the console list of terminals', async () => {
    const d = await delta(0);
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/terminals', headers: { authorization: `Bearer ${operatorToken}` } });
    expect(res.statusCode).toBe(200);
    const mine = (res.json() as { items: { id: string; denyListVersion: number | null }[] }).items.find((x) => x.id === terminal.id);
    expect(mine?.denyListVersion).toBe(d.version);
  });

  it('is only for the terminal itself', async () => {
    const other = await newTerminal(t, operatorToken);
    const res = await poll(0, other, terminal);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('TERMINAL_NOT_YOURS');
    const asOperator = await t.app.inject({ method: 'GET', url: `/api/v1/terminals/${terminal.id}/deny-list?since=0`, headers: { authorization: `Bearer ${operatorToken}` } });
    expect(asOperator.statusCode).toBe(403);
    const bad = await t.app.inject({ method: 'GET', url: `/api/v1/terminals/${terminal.id}/deny-list?since=-1`, headers: { authorization: `Bearer ${terminal.token}` } });
    expect(bad.statusCode).toBe(400);
  });
});
