import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestHash, sortedPostings, type Posting } from './ledger.model.js';
import { postRequestHash } from './post-batch.js';

/** postBatch's direct fingerprint must equal the generic one postTransaction stores for the same request. */
describe('postRequestHash', () => {
  const posting = fc.oneof(
    fc.record({ accountId: fc.uuid(), debitFen: fc.integer({ min: 1, max: 10_000_000 }), creditFen: fc.constant(0) }),
    fc.record({ accountId: fc.uuid(), debitFen: fc.constant(0), creditFen: fc.integer({ min: 1, max: 10_000_000 }) }),
  );
  const metadata = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })), { maxKeys: 5 });

  it('equals requestHash of the same post request, whatever the postings, memo and metadata', () => {
    fc.assert(fc.property(fc.array(posting, { minLength: 2, maxLength: 40 }), fc.option(fc.string({ maxLength: 30 })), metadata, fc.constantFrom('fare', 'top_up', 'purchase'), (postings: Posting[], memo, md, type) => {
      expect(postRequestHash(type, postings, memo, md)).toBe(requestHash({ operation: 'post', type, postings: sortedPostings(postings), memo, metadata: md }));
    }));
  });

  it('changes when an amount, an account, the memo or the metadata changes', () => {
    const p: Posting[] = [{ accountId: 'a', debitFen: 5, creditFen: 0 }, { accountId: 'b', debitFen: 0, creditFen: 5 }];
    const base = postRequestHash('fare', p, 'm', { k: 1 });
    expect(postRequestHash('fare', [{ ...p[0]!, debitFen: 6 }, { ...p[1]!, creditFen: 6 }], 'm', { k: 1 })).not.toBe(base);
    expect(postRequestHash('fare', [{ ...p[0]!, accountId: 'c' }, p[1]!], 'm', { k: 1 })).not.toBe(base);
    expect(postRequestHash('fare', p, 'n', { k: 1 })).not.toBe(base);
    expect(postRequestHash('fare', p, 'm', { k: 2 })).not.toBe(base);
  });
});
