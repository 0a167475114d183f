import { describe, expect, it } from 'vitest';
import { denyListPrivateKey, denyListPublicKey, denyListPublicKeyPem, signedDenyList } from '../../src/domain/transit-crypto.js';
import { denyListDeltaSchema, type DenyListDelta } from '../../src/modules/transit/protocol.js';
import { DenyListCache } from '../../terminal/deny-list-cache.js';

const SEED = 'ab'.repeat(32);
const privateKey = denyListPrivateKey(SEED);
const publicKey = denyListPublicKey(denyListPublicKeyPem(SEED));
const issuedAt = '2026-11-23T02:00:00.000Z';

function delta(fromVersion: number, version: number, added: string[], removed: string[] = [], full = false): DenyListDelta {
  return denyListDeltaSchema.parse(signedDenyList(privateKey, { version, fromVersion, full, added, removed, issuedAt }));
}

describe('DenyListCache', () => {
  it('starts empty and asks for a full snapshot', () => {
    const cache = new DenyListCache(publicKey);
    expect(cache.since()).toBe(0);
    expect(cache.has('1')).toBe(false);
  });

  it('takes a full snapshot, then contiguous deltas', () => {
    const cache = new DenyListCache(publicKey);
    expect(cache.apply(delta(0, 3, ['A', 'B', 'C'], [], true))).toMatchObject({ applied: true, version: 3 });
    expect(cache.since()).toBe(3);
    expect(cache.apply(delta(3, 5, ['D'], ['B']))).toMatchObject({ applied: true, version: 5, added: 1, removed: 1 });
    expect(['A', 'B', 'C', 'D'].map((c) => cache.has(c))).toEqual([true, false, true, true]);
    expect(cache.size).toBe(3);
    expect(cache.apply(delta(5, 5, []))).toMatchObject({ applied: true, version: 5 });
  });

  it('refuses a delta with a bad signature, keeps the list it had, and asks for a full snapshot', () => {
    const cache = new DenyListCache(publicKey);
    cache.apply(delta(0, 3, ['A'], [], true));
    const forged = { ...delta(3, 4, ['B']), removed: ['A'] };
    expect(cache.apply(forged)).toEqual({ applied: false, reason: 'BAD_SIGNATURE', needFullSnapshot: true });
    expect(cache.has('A')).toBe(true);
    expect(cache.has('B')).toBe(false);
    expect(cache.version).toBe(3);
    expect(cache.since()).toBe(0);
    // Even a well-signed delta does not apply until a full snapshot has re-based the list.
    expect(cache.apply(delta(3, 4, ['B']))).toMatchObject({ applied: false, reason: 'VERSION_GAP' });
    expect(cache.apply(delta(0, 4, ['A', 'B'], [], true))).toMatchObject({ applied: true });
    expect(cache.since()).toBe(4);
    expect(cache.rejectedDeltas).toBe(2);
  });

  it('refuses a delta signed by another key', () => {
    const cache = new DenyListCache(publicKey);
    const other = signedDenyList(denyListPrivateKey('cd'.repeat(32)), { version: 1, fromVersion: 0, full: true, added: ['X'], removed: [], issuedAt });
    expect(cache.apply(other)).toMatchObject({ applied: false, reason: 'BAD_SIGNATURE' });
    expect(cache.has('X')).toBe(false);
  });

  it('refuses a version gap and asks for a full snapshot', () => {
    const cache = new DenyListCache(publicKey);
    cache.apply(delta(0, 3, ['A'], [], true));
    expect(cache.apply(delta(4, 6, ['B']))).toEqual({ applied: false, reason: 'VERSION_GAP', needFullSnapshot: true });
    expect(cache.has('B')).toBe(false);
    expect(cache.since()).toBe(0);
  });

  it('holds a million cards and answers membership', () => {
    const cards = Array.from({ length: 1_000_000 }, (_, i) => String(10_000_000 + i));
    const cache = new DenyListCache(publicKey);
    expect(cache.apply(delta(0, 1, cards, [], true))).toMatchObject({ applied: true });
    expect(cache.size).toBe(1_000_000);
    expect(cache.has('10999999')).toBe(true);
    expect(cache.has('11000000')).toBe(false);
  }, 60_000);
});
