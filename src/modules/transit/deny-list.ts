import type { KeyObject } from 'node:crypto';
import { denyListPrivateKey, denyListPublicKeyPem, signedDenyList } from '../../domain/transit-crypto.js';
import type { AppContext } from '../../platform/context.js';
import type { DenyListDelta } from './protocol.js';
import { transitRepository as repo } from './transit.repository.js';

/**
 * Deny-lists are the card status events (cards core) seen from a terminal: version V is the
 * highest event version, gap-free in commit order, so "everything up to V" is well defined and
 * a loss report is in the very next poll (its event commits with the loss). A delta names the
 * cards whose denied state differs between the terminal's version and now; a terminal at 0, ahead
 * of the server (a restored database) or more than FULL_AFTER_EVENTS behind gets the full list.
 * Every answer is signed (Ed25519, config secrets.denyListSigningKey).
 */
export const FULL_AFTER_EVENTS = 50_000;

const keys = new Map<string, { privateKey: KeyObject; publicPem: string }>();

function signingKeys(secret: string) {
  let k = keys.get(secret);
  if (!k) keys.set(secret, (k = { privateKey: denyListPrivateKey(secret), publicPem: denyListPublicKeyPem(secret) }));
  return k;
}

/** The SPKI PEM terminals verify deltas with (GET /terminal/me). */
export function denyListPublicKey(ctx: AppContext): string {
  return signingKeys(ctx.config.secrets.denyListSigningKey).publicPem;
}

export async function denyListDelta(ctx: AppContext, terminalId: string, since: number): Promise<DenyListDelta> {
  const version = await repo.denyListHead(ctx.db);
  const full = since === 0 || since > version || (await repo.eventsSince(ctx.db, since, version)) > FULL_AFTER_EVENTS;
  let added: string[];
  let removed: string[] = [];
  if (full) {
    added = await repo.deniedCards(ctx.db, version);
  } else {
    const changes = since === version ? [] : await repo.deniedChanges(ctx.db, since, version);
    added = changes.filter((c) => c.denied).map((c) => c.cardNo);
    removed = changes.filter((c) => !c.denied).map((c) => c.cardNo);
  }
  const now = ctx.clock.now();
  await repo.saveDenyListPoll(ctx.db, terminalId, version, now);
  const body = { version, fromVersion: full ? 0 : since, full, added, removed, issuedAt: now.toISOString() };
  return signedDenyList(signingKeys(ctx.config.secrets.denyListSigningKey).privateKey, body);
}
