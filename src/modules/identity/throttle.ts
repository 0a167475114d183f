import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';

/**
 * Sign-in and recovery throttling, three rules over one table of attempts:
 * - per (account, source): after 5 failures in a row, each further try waits 2^(n-5) s, at most
 *   5 minutes — slows guessing from one place;
 * - per account: at most 100 failures an hour from all sources together (the limit);
 *   that is the only lock an attacker can cause, and it lifts as the hour rolls on;
 * - per source: at most 300 failures an hour across all accounts — stops one place sweeping many.
 * A success clears the in-a-row count for that account and source. Unknown accounts are
 * throttled exactly like known ones, so the answers reveal nothing. Staff who check the person
 * in front of them and reset the password clear the account's failures (`clearFailures`).
 */
export const throttleLimits = {
  freeFailures: 5,
  maxDelaySeconds: 300,
  accountFailuresPerHour: 100,
  sourceFailuresPerHour: 300,
} as const;

const hourMs = 3_600_000;

export async function assertNotThrottled(db: DbOrTx, clock: Clock, accountKey: string, source: string): Promise<void> {
  const now = clock.now();
  const since = new Date(now.getTime() - hourMs);

  const recent = await db
    .selectFrom('auth_attempts')
    .select(['succeeded', 'at'])
    .where('account_key', '=', accountKey)
    .where('source', '=', source)
    .where('at', '>', since)
    .orderBy('at', 'desc')
    .limit(throttleLimits.freeFailures + 12)
    .execute();
  const streak = recent.findIndex((a) => a.succeeded);
  const failuresInARow = streak === -1 ? recent.length : streak;
  if (failuresInARow >= throttleLimits.freeFailures) {
    const delaySeconds = Math.min(2 ** (failuresInARow - throttleLimits.freeFailures), throttleLimits.maxDelaySeconds);
    const allowedAt = recent[0]!.at.getTime() + delaySeconds * 1000;
    if (allowedAt > now.getTime()) throw fail('AUTH_THROTTLED', { retryAfterSeconds: Math.ceil((allowedAt - now.getTime()) / 1000) });
  }

  const [accountFailures, sourceFailures] = await Promise.all([
    countFailures(db, 'account_key', accountKey, since),
    countFailures(db, 'source', source, since),
  ]);
  if (accountFailures >= throttleLimits.accountFailuresPerHour) throw fail('AUTH_LOCKED', { retryAfterSeconds: 3600 });
  if (sourceFailures >= throttleLimits.sourceFailuresPerHour) throw fail('RATE_LIMITED', { retryAfterSeconds: 3600 });
}

async function countFailures(db: DbOrTx, column: 'account_key' | 'source', value: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('auth_attempts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(column, '=', value)
    .where('succeeded', '=', false)
    .where('at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function recordAttempt(db: DbOrTx, clock: Clock, accountKey: string, source: string, succeeded: boolean): Promise<void> {
  await db.insertInto('auth_attempts').values({ id: newId(), account_key: accountKey, source, succeeded, at: clock.now() }).execute();
}

/**
 * Forgets an account's failed attempts, from every source: what a password reset done in person
 * at the service centre implies (the person was identified there, so the guessing that led to
 * the reset must not keep them out). The attempts are throttling state only: every failed
 * sign-in and every failed campus secret is also in the audit log, which keeps it.
 */
export async function clearFailures(db: DbOrTx, accountKeys: readonly string[]): Promise<void> {
  if (accountKeys.length === 0) return;
  await db.deleteFrom('auth_attempts').where('account_key', 'in', accountKeys).where('succeeded', '=', false).execute();
}
