import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './roster.errors.js';
import { rosterRepository as repo } from './roster.repository.js';

/** The school a roster goes into, by id (the console) or code (the CLI). */
export async function schoolForImport(db: DbOrTx, by: { id: string } | { code: string }) {
  const school = 'id' in by ? await repo.findSchoolById(db, by.id) : await repo.findSchoolByCode(db, by.code);
  if (!school) throw fail('ROSTER_SCHOOL_UNKNOWN', by);
  return school;
}
