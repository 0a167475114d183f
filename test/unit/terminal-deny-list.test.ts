import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { denyListPrivateKey, denyListPublicKey, denyListPublicKeyPem, signedDenyList } from '../../src/domain/transit-crypto.js';
import { denyListDeltaSchema, type DenyListDelta } from '../../src/modules/transit/protocol.js';
import { DenyListCache, denyListFileFor } from '../../terminal/deny-list-cache.js';

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

describe('DenyListCache kept in a file', () => {
  const fileIn = () => join(mkdtempSync(join(tmpdir(), 'onecard-deny-')), 'BUS-01.deny-list.json');
  const reopen = (file: string) => new DenyListCache(publicKey, { file });

  it('lives beside the tap journal', () => {
    expect(denyListFileFor('/x/queues/BUS-01.jsonl')).toBe('/x/queues/BUS-01.deny-list.json');
  });

  it('restores the version and the cards after a snapshot and deltas, and asks since that version', () => {
    const file = fileIn();
    const cache = reopen(file);
    expect(cache.restored).toEqual({ from: 'none', reason: 'MISSING' });
    cache.apply(delta(0, 3, ['A', 'B', 'C'], [], true));
    cache.apply(delta(3, 5, ['D'], ['B']));
    const again = reopen(file);
    expect(again.restored).toEqual({ from: 'file', version: 5, size: 3 });
    expect(again.since()).toBe(5);
    expect(['A', 'B', 'C', 'D'].map((c) => again.has(c))).toEqual([true, false, true, true]);
    // What comes next is still verified: a forged delta is refused and the restored list stays.
    expect(again.apply({ ...delta(5, 6, ['E']), removed: ['A'] })).toMatchObject({ applied: false, reason: 'BAD_SIGNATURE' });
    expect(again.has('A')).toBe(true);
    expect(again.apply(delta(0, 6, ['A', 'E'], [], true))).toMatchObject({ applied: true });
    expect(reopen(file).restored).toEqual({ from: 'file', version: 6, size: 2 });
  });

  it('does not rewrite the file for a delta that changes nothing, nor for a refused one', () => {
    const file = fileIn();
    const cache = reopen(file);
    cache.apply(delta(0, 2, ['A'], [], true));
    const written = readFileSync(file, 'utf8');
    const mtime = statSync(file).mtimeMs;
    expect(cache.apply(delta(2, 2, []))).toMatchObject({ applied: true });
    expect(cache.apply(delta(7, 9, ['Z']))).toMatchObject({ applied: false, reason: 'VERSION_GAP' });
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(readFileSync(file, 'utf8')).toBe(written);
  });

  it.each([
    ['torn mid-write', (text: string) => text.slice(0, text.length - 5)],
    ['a card number edited', (text: string) => text.replace('"A"', '"X"')],
    ['the version edited', (text: string) => text.replace('"version":2', '"version":20')],
    ['not the format', () => 'hello\nworld\n'],
    ['empty', () => ''],
  ])('a file %s is ignored: the cache starts empty and asks for a full snapshot', (_name, damage) => {
    const file = fileIn();
    reopen(file).apply(delta(0, 2, ['A', 'B'], [], true));
    writeFileSync(file, damage(readFileSync(file, 'utf8')));
    const cache = reopen(file);
    expect(cache.restored).toEqual({ from: 'none', reason: 'CORRUPT' });
    expect(cache.since()).toBe(0);
    expect(cache.size).toBe(0);
  });

  it('ignores a list verified under another key', () => {
    const file = fileIn();
    reopen(file).apply(delta(0, 2, ['A'], [], true));
    const otherKey = denyListPublicKey(denyListPublicKeyPem('cd'.repeat(32)));
    const cache = new DenyListCache(otherKey, { file });
    expect(cache.restored).toEqual({ from: 'none', reason: 'OTHER_KEY' });
    expect(cache.since()).toBe(0);
  });

  it('keeps working in memory when the file cannot be written, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onecard-deny-'));
    writeFileSync(join(dir, 'not-a-dir'), '');
    const cache = new DenyListCache(publicKey, { file: join(dir, 'not-a-dir', 'BUS.deny-list.json') });
    expect(cache.apply(delta(0, 2, ['A'], [], true))).toMatchObject({ applied: true });
    expect(cache.has('A')).toBe(true);
    expect(cache.since()).toBe(2);
    expect(cache.persistError).toMatch(/ENOTDIR|EEXIST/);
  });
});
