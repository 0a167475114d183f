import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import type { DbOrTx, Tx } from './db/database.js';
import { fail } from './errors.js';

export interface StoredResponse<T = unknown> {
  statusCode: number;
  body: T;
}

const keyPattern = /^[\x21-\x7e]{1,200}$/;

/**
 * Runs a mutating use case in one transaction together with its Idempotency-Key record:
 * the effect and the stored response commit or roll back as one. A replay of the same key
 * and body returns the stored response; the same key with another body is a 422; a
 * concurrent duplicate (the first still running) is a 409. Without a key it just runs.
 *
 * `checkFirst` runs outside the transaction, before the work, so that what it records survives
 * the work's failure (a wrong query password counts towards the lock-out). A replay of a stored
 * response skips it: the original request passed it, and asking again (a password changed since,
 * a bill paid by that very request) would turn a harmless retry into an error.
 */
export async function runIdempotent<T>(
  ctx: Pick<AppContext, 'db' | 'config'>,
  request: FastifyRequest,
  reply: FastifyReply,
  work: (tx: Tx) => Promise<StoredResponse<T>>,
  checkFirst?: () => Promise<void>,
): Promise<T> {
  const { db } = ctx;
  const key = request.headers['idempotency-key'];
  if (key === undefined) {
    await checkFirst?.();
    const result = await db.transaction().execute(work);
    reply.code(result.statusCode);
    return result.body;
  }
  if (typeof key !== 'string' || !keyPattern.test(key)) throw fail('IDEMPOTENCY_KEY_INVALID');

  const caller = request.caller ? `${request.caller.role}:${request.caller.subjectId}` : `anonymous:${request.ip}`;
  const requestHash = fingerprint(ctx.config.secrets.sessionSecret, request);
  const earlier = checkFirst && await storedReplay<T>(db, caller, key, requestHash);
  if (!earlier) await checkFirst?.();
  const outcome = earlier || await db.transaction().execute(async (tx) => {
    const { rows } = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(hashtextextended(${caller} || '|' || ${key}, 0)) as locked`.execute(tx);
    if (!rows[0]?.locked) throw fail('IDEMPOTENCY_IN_PROGRESS');
    const stored = await storedReplay<T>(tx, caller, key, requestHash);
    if (stored) return stored;
    const result = await work(tx);
    await tx
      .insertInto('idempotency_keys')
      .values({ caller, key, request_hash: requestHash, status_code: result.statusCode, response: JSON.stringify(result.body ?? null) })
      .execute();
    return { replayed: false, ...result };
  });
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  reply.code(outcome.statusCode);
  return outcome.body;
}

/** The stored response for the caller's key, to answer again (IDEMPOTENCY_KEY_REUSED when the request differs). */
async function storedReplay<T>(db: DbOrTx, caller: string, key: string, requestHash: string) {
  const existing = await db
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'status_code', 'response'])
    .where('caller', '=', caller)
    .where('key', '=', key)
    .executeTakeFirst();
  if (!existing) return undefined;
  if (existing.request_hash !== requestHash) throw fail('IDEMPOTENCY_KEY_REUSED');
  return { replayed: true, statusCode: existing.status_code, body: existing.response as T };
}

/** The fingerprints' own key, derived from the session secret so that no two uses share a key. */
export const fingerprintKey = (sessionSecret: string): Buffer => createHmac('sha256', sessionSecret).update('onecard:idempotency-fingerprint').digest();

/**
 * What a replay is compared by. Keyed with a server secret: bodies hold passwords, PINs and
 * query passwords, and a plain hash of a 6-digit PIN is undone by trying all million of them.
 */
function fingerprint(sessionSecret: string, request: FastifyRequest): string {
  return createHmac('sha256', fingerprintKey(sessionSecret))
    .update(`${request.method} ${request.routeOptions.url ?? request.url}\n${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

/**
 * The usual shape of a mutating route: run a use case with the request's transaction as its
 * database, answer `statusCode` with what it returns. `checkFirst` as in runIdempotent (a password).
 */
export function idempotentOperation<T>(
  ctx: AppContext,
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  operation: (txCtx: AppContext) => Promise<T>,
  checkFirst?: () => Promise<void>,
): Promise<T> {
  return runIdempotent(ctx, request, reply, async (tx) => ({ statusCode, body: await operation({ ...ctx, db: tx }) }), checkFirst);
}
