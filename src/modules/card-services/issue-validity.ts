import type { DbOrTx } from '../../platform/db/database.js';
import { cardServicesRepository as repo } from './card-services.repository.js';
import { graduationDate, validUntilOnIssue } from './extension-rules.js';

/**
 * The one place a new K-12 transit card's `valid_until` is decided (a first card, a replacement,
 * an opened or upgraded K-12 e-card): the date an extension made on `today` would give, within the
 * holder's graduation as the extension bounds it (extension-rules.ts, validUntilOnIssue).
 */
export async function k12ValidUntilOnIssue(db: DbOrTx, studentId: string, today: string): Promise<string> {
  const [windows, student] = await Promise.all([repo.listWindows(db), repo.studentForExtension(db, studentId)]);
  const graduation = student ? graduationDate(student.stage, student.grade, today) : null;
  return validUntilOnIssue(today, windows.map((w) => ({ year: w.year, startsOn: w.starts_on, endsOn: w.ends_on })), graduation);
}
