import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { balanceOfRow, normalisePostings, requestHash, sortedPostings, type LedgerAccountRow, type LedgerAccountType } from './ledger.model.js';

const row = (type: LedgerAccountType, columns: Partial<LedgerAccountRow> = {}): LedgerAccountRow => ({
  id: 'a',
  code: 'x',
  type,
  ownerId: null,
  floorFen: 0,
  debitsMustNotExceedCredits: type === 'purse',
  debitsPostedFen: 0,
  creditsPostedFen: 0,
  debitsPendingFen: 0,
  creditsPendingFen: 0,
  ...columns,
});

describe('ledger model', () => {
  it('reads a purse by its credits and a clearing account by its debits; outgoing holds reduce what is available', () => {
    expect(balanceOfRow(row('purse', { creditsPostedFen: 1000, debitsPostedFen: 300, debitsPendingFen: 200, creditsPendingFen: 50 }))).toMatchObject({
      postedFen: 700,
      pendingFen: -150,
      availableFen: 500,
    });
    expect(balanceOfRow(row('gateway_clearing', { debitsPostedFen: 1000, creditsPostedFen: 100, creditsPendingFen: 40 }))).toMatchObject({
      postedFen: 900,
      pendingFen: -40,
      availableFen: 860,
    });
    expect(Object.is(balanceOfRow(row('gateway_clearing')).postedFen, 0)).toBe(true);
  });

  it('accepts balanced postings only', () => {
    expect(normalisePostings([{ accountId: 'a', debitFen: 5 }, { accountId: 'b', creditFen: 3 }, { accountId: 'c', creditFen: 2 }])).toEqual([
      { accountId: 'a', debitFen: 5, creditFen: 0 },
      { accountId: 'b', debitFen: 0, creditFen: 3 },
      { accountId: 'c', debitFen: 0, creditFen: 2 },
    ]);
    expect(() => normalisePostings([{ accountId: 'a', debitFen: 5 }, { accountId: 'b', creditFen: 4 }])).toThrow(/LEDGER_UNBALANCED/);
  });

  it('fingerprints a request independently of posting and key order', () => {
    const postings = fc.array(fc.record({ accountId: fc.constantFrom('a', 'b', 'c'), debitFen: fc.nat(), creditFen: fc.nat() }), { maxLength: 6 });
    fc.assert(
      fc.property(postings, fc.func(fc.integer()), (list, rank) => {
        const shuffled = [...list].sort((x, y) => rank(x) - rank(y));
        const hashOf = (ps: typeof list, memoFirst: boolean) =>
          requestHash(memoFirst ? { memo: 'm', postings: sortedPostings(ps) } : { postings: sortedPostings(ps), memo: 'm' });
        return hashOf(list, true) === hashOf(shuffled, false);
      }),
    );
    expect(requestHash({ amountFen: 1 })).not.toBe(requestHash({ amountFen: 2 }));
  });
});
