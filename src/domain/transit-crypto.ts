import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { DomainError } from './errors.js';

/**
 * Transit crypto shared by the terminals (terminal/) and the server (src/modules/transit):
 * per-card keys, the transaction authentication code (TAC) a card puts on every tap, and the
 * Ed25519 signature on deny-list deltas. Pure functions over node:crypto; no I/O.
 *
 * - card key = HMAC-SHA256(key = issuer master key as UTF-8, data = cardNo as UTF-8), 32 bytes.
 * - TAC = first 8 bytes (16 lowercase hex) of HMAC-SHA256(card key, canonical), where canonical is
 *   `${terminalCode}|${cardNo}|${cardCounter}|${amountFen}|${balanceAfterFen}|${at}` and `at` is
 *   the ISO-8601 string exactly as sent.
 * - deny-list signature: Ed25519 over canonicalJson(body without `signature`), base64.
 */

export const TAC_HEX_LENGTH = 16;

/** The card's own key, derived from the issuer master key and the card number (32 bytes). */
export function deriveCardKey(masterKey: string, cardNo: string): Buffer {
  if (masterKey.length === 0) throw new DomainError('CARD_KEY_INVALID', '发卡主密钥为空', 'The issuer master key is empty');
  return createHmac('sha256', Buffer.from(masterKey, 'utf8')).update(cardNo, 'utf8').digest();
}

/** The fields of a tap the TAC covers. */
export interface TacInput {
  terminalCode: string;
  cardNo: string;
  cardCounter: number;
  amountFen: number;
  balanceAfterFen: number;
  /** ISO-8601 UTC string, exactly as it travels on the wire. */
  at: string;
}

export function tacCanonical(t: TacInput): string {
  return `${t.terminalCode}|${t.cardNo}|${t.cardCounter}|${t.amountFen}|${t.balanceAfterFen}|${t.at}`;
}

/** The TAC's bytes: the first 8 bytes of HMAC-SHA256(card key, canonical). */
function tacBytes(cardKey: Buffer, t: TacInput): Buffer {
  return createHmac('sha256', cardKey).update(tacCanonical(t), 'utf8').digest().subarray(0, TAC_HEX_LENGTH / 2);
}

/** 16 lowercase hex characters: the TAC as it travels. */
export function computeTac(cardKey: Buffer, t: TacInput): string {
  return tacBytes(cardKey, t).toString('hex');
}

const TAC_PATTERN = /^[0-9a-f]{16}$/i;

/** Constant-time check of a TAC; false (never throws) for malformed input. */
export function verifyTac(cardKey: Buffer, t: TacInput, tac: string): boolean {
  if (typeof tac !== 'string' || !TAC_PATTERN.test(tac)) return false;
  // Bytes against bytes: settlement checks every tap, and the hex round trip cost as much as a hash.
  return timingSafeEqual(tacBytes(cardKey, t), Buffer.from(tac, 'hex'));
}

/**
 * JSON with object keys sorted (recursively, by UTF-16 code unit), arrays in their order, no
 * whitespace, and `undefined` members left out as JSON.stringify does. Both sides of a signature
 * build the bytes with this, so key order on the wire never matters.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    if (s === undefined) throw new DomainError('CANONICAL_JSON_INVALID', '无法规范化的值', 'Value cannot be written as JSON', { type: typeof value });
    return s;
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** PKCS8 DER prefix of an Ed25519 private key; the 32-byte seed follows it (RFC 8410). */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The deny-list signing key from config `secrets.denyListSigningKey`: either an Ed25519 PKCS8
 * PEM, or a 32-byte seed written as 64 hex characters (what the dev secrets generator writes).
 */
export function denyListPrivateKey(secret: string): KeyObject {
  const trimmed = secret.trim();
  let key: KeyObject;
  if (trimmed.startsWith('-----BEGIN')) {
    key = createPrivateKey({ key: trimmed, format: 'pem' });
  } else if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
    key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(trimmed, 'hex')]), format: 'der', type: 'pkcs8' });
  } else {
    throw new DomainError('DENY_LIST_KEY_INVALID', '黑名单签名密钥格式无效', 'The deny-list signing key must be an Ed25519 PKCS8 PEM or 64 hex characters');
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new DomainError('DENY_LIST_KEY_INVALID', '黑名单签名密钥必须是 Ed25519', 'The deny-list signing key must be Ed25519');
  }
  return key;
}

/** The public half as an SPKI PEM string: what `GET /terminal/me` hands terminals as `denyListPublicKey`. */
export function denyListPublicKeyPem(secret: string): string {
  return createPublicKey(denyListPrivateKey(secret)).export({ format: 'pem', type: 'spki' }).toString();
}

/** Reads a public key PEM (SPKI) once, so a terminal verifies many deltas without re-parsing. */
export function denyListPublicKey(pem: string): KeyObject {
  const key = createPublicKey({ key: pem, format: 'pem' });
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new DomainError('DENY_LIST_KEY_INVALID', '黑名单公钥必须是 Ed25519', 'The deny-list public key must be Ed25519');
  }
  return key;
}

function withoutSignature(body: object): Record<string, unknown> {
  const { signature: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
}

/** Base64 Ed25519 signature over canonicalJson(body minus any `signature` field). */
export function signDenyList(privateKey: KeyObject, body: object): string {
  return sign(null, Buffer.from(canonicalJson(withoutSignature(body)), 'utf8'), privateKey).toString('base64');
}

/** Returns the body with its `signature` filled in. */
export function signedDenyList<T extends object>(privateKey: KeyObject, body: T): T & { signature: string } {
  return { ...body, signature: signDenyList(privateKey, body) };
}

/** True only when `body.signature` is a valid signature of the rest of the body by `publicKey`. */
export function verifyDenyList(publicKey: KeyObject, body: { readonly signature?: unknown; readonly [field: string]: unknown }): boolean {
  if (typeof body.signature !== 'string' || body.signature.length === 0) return false;
  const signature = Buffer.from(body.signature, 'base64');
  if (signature.length !== 64) return false;
  try {
    return verify(null, Buffer.from(canonicalJson(withoutSignature(body)), 'utf8'), publicKey, signature);
  } catch {
    return false;
  }
}
