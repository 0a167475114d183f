import { createHmac, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  canonicalJson,
  computeTac,
  denyListPrivateKey,
  denyListPublicKey,
  denyListPublicKeyPem,
  deriveCardKey,
  signedDenyList,
  tacCanonical,
  verifyDenyList,
  verifyTac,
  type TacInput,
} from './transit-crypto.js';

const MASTER = 'test-card-master-key-'.padEnd(40, 'x');
const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'; // RFC 8032 test 1
const tap: TacInput = { terminalCode: 'BUS-0001', cardNo: '1000000001', cardCounter: 7, amountFen: 50, balanceAfterFen: 1950, at: '2026-11-23T01:02:03.456Z' };

describe('card keys', () => {
  it('are HMAC-SHA256(master, cardNo): 32 bytes, different per card and per master key', () => {
    const key = deriveCardKey(MASTER, '1000000001');
    expect(key).toHaveLength(32);
    expect(key.equals(createHmac('sha256', MASTER).update('1000000001').digest())).toBe(true);
    expect(key.equals(deriveCardKey(MASTER, '1000000002'))).toBe(false);
    expect(key.equals(deriveCardKey(`${MASTER}y`, '1000000001'))).toBe(false);
  });

  it('refuse an empty master key', () => {
    expect(() => deriveCardKey('', '1')).toThrow(expect.objectContaining({ code: 'CARD_KEY_INVALID' }));
  });
});

describe('TAC', () => {
  const key = deriveCardKey(MASTER, tap.cardNo);

  it('is the first 8 bytes of HMAC-SHA256(card key, canonical) in hex', () => {
    expect(tacCanonical(tap)).toBe('BUS-0001|1000000001|7|50|1950|2026-11-23T01:02:03.456Z');
    const full = createHmac('sha256', key).update(tacCanonical(tap)).digest('hex');
    expect(computeTac(key, tap)).toBe(full.slice(0, 16));
    expect(computeTac(key, tap)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('verifies the genuine tap, and fails when any covered field changes', () => {
    const tac = computeTac(key, tap);
    expect(verifyTac(key, tap, tac)).toBe(true);
    expect(verifyTac(key, tap, tac.toUpperCase())).toBe(true);
    const changes: Partial<TacInput>[] = [
      { terminalCode: 'BUS-0002' },
      { cardNo: '1000000002' },
      { cardCounter: 8 },
      { amountFen: 49 },
      { balanceAfterFen: 1951 },
      { at: '2026-11-23T01:02:03.457Z' },
    ];
    for (const change of changes) expect(verifyTac(key, { ...tap, ...change }, tac)).toBe(false);
    expect(verifyTac(deriveCardKey(MASTER, '1000000002'), tap, tac)).toBe(false);
  });

  it('rejects malformed TACs without throwing', () => {
    for (const bad of ['', 'abc', `${computeTac(key, tap)}00`, 'zzzzzzzzzzzzzzzz']) expect(verifyTac(key, tap, bad)).toBe(false);
  });

  it('a flipped character never verifies (property)', () => {
    const tac = computeTac(key, tap);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 1, max: 15 }), (pos, delta) => {
        const flipped = tac.slice(0, pos) + ((parseInt(tac[pos]!, 16) + delta) % 16).toString(16) + tac.slice(pos + 1);
        return !verifyTac(key, tap, flipped);
      }),
    );
  });
});

describe('canonical JSON', () => {
  it('sorts keys recursively, keeps array order, drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: 1, y: 2 }], c: 'x' }, u: undefined })).toBe('{"a":{"c":"x","d":[3,1,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson(null)).toBe('null');
  });

  it('parses back to the same value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });
});

describe('deny-list signatures', () => {
  const body = { version: 5, fromVersion: 3, full: false, added: ['1000000001', '1000000007'], removed: ['1000000002'], issuedAt: '2026-11-23T02:00:00.000Z' };

  it('derive the RFC 8032 public key from a hex seed, and accept a PKCS8 PEM too', () => {
    const pem = denyListPublicKeyPem(SEED);
    const raw = denyListPublicKey(pem).export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex');
    expect(raw).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const { privateKey } = generateKeyPairSync('ed25519');
    const privatePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(denyListPrivateKey(privatePem).asymmetricKeyType).toBe('ed25519');
  });

  it('refuse keys that are neither', () => {
    expect(() => denyListPrivateKey('not a key but long enough to pass the config check')).toThrow(expect.objectContaining({ code: 'DENY_LIST_KEY_INVALID' }));
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => denyListPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())).toThrow(expect.objectContaining({ code: 'DENY_LIST_KEY_INVALID' }));
  });

  it('verify the signed body whatever its key order, and nothing altered', () => {
    const signed: Record<string, unknown> = signedDenyList(denyListPrivateKey(SEED), body);
    const pub = denyListPublicKey(denyListPublicKeyPem(SEED));
    expect(verifyDenyList(pub, signed)).toBe(true);
    const reordered = { signature: signed.signature, removed: body.removed, issuedAt: body.issuedAt, added: body.added, full: false, fromVersion: 3, version: 5 };
    expect(Object.keys(reordered)).not.toEqual(Object.keys(signed));
    expect(verifyDenyList(pub, reordered)).toBe(true);
    expect(verifyDenyList(pub, { ...signed, added: ['1000000001'] })).toBe(false);
    expect(verifyDenyList(pub, { ...signed, version: 6 })).toBe(false);
    expect(verifyDenyList(pub, { ...signed, full: true })).toBe(false);
    expect(verifyDenyList(pub, { ...signed, signature: '' })).toBe(false);
    expect(verifyDenyList(pub, { ...signed, signature: 'AAAA' })).toBe(false);
    const other = denyListPublicKey(denyListPublicKeyPem('11'.repeat(32)));
    expect(verifyDenyList(other, signed)).toBe(false);
  });
});
