import type { Clock } from '../../platform/clock.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { assertNotThrottled, recordAttempt } from '../identity/throttle.js';
import { matchesK12Roster, matchesUniversityRoster, type K12Proof, type UniversityProof } from './ecard-rules.js';
import './ecards.errors.js';
import { ecardsRepository as repo } from './ecards.repository.js';

export type Proof = ({ kind: 'k12' } & K12Proof) | ({ kind: 'university' } & UniversityProof);

/**
 * 实名认证 against the roster, throttled per student and source like sign-in (so the form cannot
 * be used to guess a student's ID number). Run it on the database, not inside the request's
 * transaction: a failed attempt must be remembered even though the request fails. The use case
 * compares again inside its transaction.
 */
export async function verifyRealName(db: DbOrTx, clock: Clock, studentId: string, proof: Proof, source: string): Promise<void> {
  const accountKey = `ecard-real-name:${studentId}`;
  await assertNotThrottled(db, clock, accountKey, source);
  const row = await repo.rosterRow(db, studentId);
  const ok = row !== undefined && matches(row, proof);
  await recordAttempt(db, clock, accountKey, source, ok);
  // Which field was wrong is not said: the seed notes most failures are typos in names.
  if (!ok) throw fail('ECARD_REAL_NAME_FAILED');
}

export function matches(row: NonNullable<Awaited<ReturnType<typeof repo.rosterRow>>>, proof: Proof): boolean {
  return proof.kind === 'k12' ? matchesK12Roster(row, proof) : matchesUniversityRoster(row, proof);
}
