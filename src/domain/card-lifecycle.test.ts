import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowedEvents, finalStatuses, isDenied, issueStatus, keepsBalanceOnCard, needsActivation, nextStatus, type CardEvent, type CardProduct, type CardStatus } from './card-lifecycle.js';
import { isDomainError } from './errors.js';

const products: CardProduct[] = ['k12_card', 'k12_sticker', 'k12_ecard', 'university_ecard', 'campus_card', 'temporary_card'];
const events: CardEvent[] = ['activate', 'report_loss', 'unloss', 'suspend', 'resume', 'supersede', 'restore', 'replace', 'return', 'close'];
const startOf = (p: CardProduct): CardStatus => (p === 'k12_card' || p === 'k12_sticker' ? 'inactive' : 'active');
/** Statuses each product may ever be in: a phone is never "lost" (it is suspended), a physical card never suspended. */
const possible: Record<CardProduct, CardStatus[]> = {
  k12_card: ['inactive', 'active', 'lost', 'superseded', 'replaced', 'returned'],
  k12_sticker: ['inactive', 'active', 'lost', 'replaced', 'returned'],
  k12_ecard: ['active', 'suspended', 'superseded', 'replaced', 'returned'],
  university_ecard: ['active', 'suspended', 'superseded', 'replaced', 'returned'],
  campus_card: ['active', 'lost', 'replaced', 'returned'],
  temporary_card: ['active', 'lost', 'closed'],
};
/**
 * The statuses each product is replaced from: a lost card; a suspended phone, or an active one by
 * the next stage's e-card (小升初 / 初升高); a damaged campus card (seed 004 kiosk) or sticker
 * (seed 000 补换卡贴, usable until the new one is handed over) while in use. Never an active K-12 card.
 */
const replacedFrom: Record<CardProduct, CardStatus[]> = {
  k12_card: ['lost'],
  k12_sticker: ['inactive', 'active', 'lost'],
  k12_ecard: ['active', 'suspended'],
  university_ecard: ['active', 'suspended'],
  campus_card: ['active', 'lost'],
  temporary_card: [],
};
const allStatuses: CardStatus[] = ['inactive', 'active', 'lost', 'suspended', 'superseded', 'replaced', 'returned', 'closed'];

describe('card state machines', () => {
  it('with an e-card holding transit, a physical K-12 card never becomes active: issued, found again or activated, it is superseded', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...products),
        fc.option(fc.boolean(), { nil: undefined }),
        fc.boolean(),
        fc.array(fc.record({ event: fc.constantFrom(...events), heldElsewhere: fc.boolean() }), { maxLength: 40 }),
        (product, askActive, heldAtIssue, sequence) => {
          const active = needsActivation(product) ? askActive : undefined;
          const wanted = issueStatus(product, { active });
          let status = issueStatus(product, { active, transitHeldElsewhere: heldAtIssue });
          let activated = wanted === 'active';
          expect(possible[product]).toContain(status);
          if (heldAtIssue && product === 'k12_card') expect(status).toBe('superseded');
          if (product !== 'k12_card') expect(status).toBe(wanted);
          for (const { event, heldElsewhere } of sequence) {
            if (!allowedEvents(product, status).includes(event)) {
              expect(() => nextStatus(product, status, event, activated, heldElsewhere)).toThrow();
              continue;
            }
            const before = status;
            status = nextStatus(product, before, event, activated, heldElsewhere);
            // Other products, and other events, are not affected by the flag.
            if (product !== 'k12_card' || (event !== 'unloss' && event !== 'activate')) expect(status).toBe(nextStatus(product, before, event, activated, false));
            if (event === 'activate') activated = true;
            expect(possible[product]).toContain(status);
            // The one-active-transit-card rule: coming back into use while an e-card holds transit is coming back superseded.
            if (product === 'k12_card' && heldElsewhere && (event === 'unloss' || event === 'activate')) expect(status).toBe('superseded');
            if (product === 'k12_card' && status === 'active') expect(activated).toBe(true);
          }
          // A superseded card issued or found again takes transit back when the e-card is returned (restore), as active only if it was ever activated.
          if (product === 'k12_card' && status === 'superseded') expect(nextStatus(product, status, 'restore', activated)).toBe(activated ? 'active' : 'inactive');
        },
      ),
    );
  });

  it('a replacement handed over while the e-card holds transit is issued superseded and restores to active', () => {
    expect(issueStatus('k12_card', { active: true, transitHeldElsewhere: true })).toBe('superseded');
    expect(issueStatus('k12_card', { active: true })).toBe('active');
    expect(issueStatus('k12_card', {})).toBe('inactive');
    expect(issueStatus('k12_ecard', { transitHeldElsewhere: true })).toBe('active');
    expect(issueStatus('k12_sticker', { active: true, transitHeldElsewhere: true })).toBe('active');
    expect(nextStatus('k12_card', 'superseded', 'restore', true)).toBe('active');
    expect(nextStatus('k12_card', 'lost', 'unloss', true, true)).toBe('superseded');
    expect(nextStatus('k12_card', 'lost', 'unloss', false, true)).toBe('superseded');
    expect(nextStatus('k12_card', 'lost', 'unloss', true, false)).toBe('active');
    // A phone e-card is resumed as before (the flag is about physical cards giving way to the e-card).
    expect(nextStatus('k12_ecard', 'suspended', 'resume', true, true)).toBe('active');
  });

  it('random operation sequences never reach an illegal state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...products), fc.array(fc.constantFrom(...events), { maxLength: 40 }), (product, sequence) => {
        let status = startOf(product);
        let activated = status === 'active';
        for (const event of sequence) {
          const allowed = allowedEvents(product, status).includes(event);
          if (!allowed) {
            expect(() => nextStatus(product, status, event, activated)).toThrow();
            continue;
          }
          const before = status;
          status = nextStatus(product, status, event, activated);
          if (event === 'activate') {
            activated = true;
            expect(status).toBe('active');
          }
          expect(possible[product]).toContain(status);
          // A K-12 card is only ever active once its holder has activated it.
          if (product === 'k12_card' && status === 'active') expect(activated).toBe(true);
          if (status === 'replaced') expect(replacedFrom[product]).toContain(before);
        }
        if (finalStatuses.includes(status)) expect(allowedEvents(product, status)).toEqual([]);
      }),
    );
  });

  it('activation makes a new card active; a found card that was never activated stays inactive', () => {
    expect(nextStatus('k12_card', 'inactive', 'activate', false)).toBe('active');
    const lost = nextStatus('k12_card', 'inactive', 'report_loss', false);
    expect(lost).toBe('lost');
    expect(nextStatus('k12_card', lost, 'unloss', false)).toBe('inactive');
    expect(nextStatus('k12_card', lost, 'unloss', true)).toBe('active');
  });

  it('refuses with a stable code and says why in both languages', () => {
    try {
      nextStatus('k12_card', 'active', 'replace');
      expect.unreachable();
    } catch (e) {
      expect(isDomainError(e, 'CARD_TRANSITION_INVALID')).toBe(true);
      if (isDomainError(e)) {
        expect(e.messageZh).toContain('卡正常状态');
        expect(e.messageEn).toContain('cannot be replaced');
      }
    }
  });

  it('denies lost, suspended and retired cards but lets a superseded card spend what it holds', () => {
    expect(['lost', 'suspended', 'replaced', 'returned', 'closed'].every((s) => isDenied(s as CardStatus))).toBe(true);
    expect(isDenied('active')).toBe(false);
    expect(isDenied('superseded')).toBe(false);
    expect(isDenied('inactive')).toBe(false);
  });

  it('replaces each product from exactly its statuses: a sticker in use too (damaged), never an active K-12 card', () => {
    for (const product of products) {
      const from = allStatuses.filter((status) => allowedEvents(product, status).includes('replace'));
      expect(from, product).toEqual(allStatuses.filter((status) => replacedFrom[product].includes(status)));
      for (const status of from) expect(nextStatus(product, status, 'replace')).toBe('replaced');
    }
    // A damaged sticker is replaced where it stands, never passing through lost (no loss report, seed 000).
    expect(nextStatus('k12_sticker', 'active', 'replace')).toBe('replaced');
    expect(nextStatus('k12_sticker', 'inactive', 'replace', false)).toBe('replaced');
    expect(() => nextStatus('k12_sticker', 'returned', 'replace')).toThrow();
  });

  it('replaces an active phone e-card (小升初 / 初升高 upgrade) but never an active physical K-12 card', () => {
    expect(nextStatus('k12_ecard', 'active', 'replace')).toBe('replaced');
    expect(nextStatus('k12_ecard', 'suspended', 'replace')).toBe('replaced');
    expect(() => nextStatus('k12_card', 'active', 'replace')).toThrow();
    expect(() => nextStatus('k12_ecard', 'returned', 'replace')).toThrow();
  });
});

describe('where the balance lives', () => {
  it('on the card for transit products (action lists reach it), in the account for campus and temporary cards', () => {
    const onCard: CardProduct[] = ['k12_card', 'k12_sticker', 'k12_ecard', 'university_ecard'];
    const inAccount: CardProduct[] = ['campus_card', 'temporary_card'];
    for (const product of onCard) expect(keepsBalanceOnCard(product), product).toBe(true);
    for (const product of inAccount) expect(keepsBalanceOnCard(product), product).toBe(false);
  });
});
