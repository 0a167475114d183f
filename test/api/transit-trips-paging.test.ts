import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { newFundedCard, newTerminal, signedTap, uploadOk, type TestTerminal } from './transit-support.js';

/**
 * GET /cards/{cardId}/trips pages by card counter and gives `nextBefore` only when another page
 * exists: following the cursors visits every trip once, and the last page (even a full one) ends
 * the list, so no client asks for an empty page.
 */

let t: TestApp;
let operatorToken: string;
let terminal: TestTerminal;
let seq = 0;
beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-11-23T02:00:00Z'));
  operatorToken = await t.factory.operatorToken();
  terminal = await newTerminal(t, operatorToken);
});
afterAll(async () => t.close());

interface TripsPage { items: { cardCounter: number }[]; nextBefore: number | null }

/** A card with `count` settled bus rides, counters 1..count. */
async function cardWithTrips(count: number): Promise<string> {
  const { card } = await newFundedCard(t, 10_000);
  const records = Array.from({ length: count }, (_, i) => signedTap(t.ctx.config.secrets.cardMasterKey, terminal.code, {
    seq: ++seq, cardNo: card.card_no, cardCounter: i + 1, amountFen: 50, balanceAfterFen: 10_000 - 50 * (i + 1),
    at: new Date(Date.parse('2026-11-20T01:00:00.000Z') + i * 60_000).toISOString(),
  }));
  if (count > 0) expect(await uploadOk(t, terminal, records)).toMatchObject({ accepted: count, rejected: [] });
  return card.id;
}

async function page(cardId: string, limit: number, before: number | null): Promise<TripsPage> {
  const query = before === null ? `limit=${limit}` : `limit=${limit}&before=${before}`;
  const res = await t.app.inject({ method: 'GET', url: `/api/v1/cards/${cardId}/trips?${query}`, headers: { authorization: `Bearer ${operatorToken}` } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as TripsPage;
}

/** Follows nextBefore until it is null, as the app does; returns every page. */
async function allPages(cardId: string, limit: number): Promise<TripsPage[]> {
  const pages = [await page(cardId, limit, null)];
  for (let next = pages[0]!.nextBefore; next !== null; next = pages.at(-1)!.nextBefore) {
    if (pages.length > 100) throw new Error('paging does not end');
    pages.push(await page(cardId, limit, next));
  }
  return pages;
}

describe('trips paging', () => {
  it('visits every trip once, newest first, and the last page has no cursor even when it is full', async () => {
    const count = 6;
    const cardId = await cardWithTrips(count);
    const everyCounter = Array.from({ length: count }, (_, i) => count - i);
    for (const limit of [1, 2, 3, 4, 5, 6, 7]) {
      const pages = await allPages(cardId, limit);
      expect(pages.flatMap((p) => p.items.map((i) => i.cardCounter)), `limit ${limit}`).toEqual(everyCounter);
      // No empty page: exactly ceil(count / limit) requests, each with at least one trip.
      expect(pages, `limit ${limit}`).toHaveLength(Math.ceil(count / limit));
      expect(pages.every((p) => p.items.length > 0)).toBe(true);
      expect(pages.at(-1)!.nextBefore).toBeNull();
      // Every page but the last is full and points at its own oldest trip.
      for (const p of pages.slice(0, -1)) {
        expect(p.items).toHaveLength(limit);
        expect(p.nextBefore).toBe(p.items.at(-1)!.cardCounter);
      }
    }
  });

  it('a card without trips answers one empty page without a cursor', async () => {
    const cardId = await cardWithTrips(0);
    expect(await page(cardId, 20, null)).toEqual({ items: [], nextBefore: null });
  });

  it('a page that starts below the oldest trip is empty and has no cursor', async () => {
    const cardId = await cardWithTrips(3);
    expect(await page(cardId, 2, 2)).toMatchObject({ items: [{ cardCounter: 1 }], nextBefore: null });
    expect(await page(cardId, 2, 1)).toEqual({ items: [], nextBefore: null });
  });
});
