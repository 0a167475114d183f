import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, type DatabaseHandle } from '../../src/platform/db/database.js';
import { newId } from '../../src/platform/ids.js';
import { createTestDatabaseBefore } from '../support/databases.js';

/**
 * Migration 0055 withdraws the waiting action-list entries no card will ever take: those of cards
 * that had already left service, and those of campus and temporary cards, whose balance is the
 * account's (their top-ups made entries before). An entry a terminal applied, and the waiting
 * entries of a transit card in use, stay as they were.
 */

let handle: DatabaseHandle;
const cards = { transit: newId(), returned: newId(), campus: newId(), temporary: newId() };
const actions = { transit: newId(), returned: newId(), returnedApplied: newId(), campus: newId(), temporary: newId() };

beforeAll(async () => {
  handle = await createTestDatabaseBefore('0055-withdrawn-card-actions');
  const db = handle.db;
  const school = newId();
  const student = newId();
  await sql`insert into schools (id, code, name, stage) values (${school}::uuid, 'M55', '迁移测试学校', 'university')`.execute(db);
  await sql`insert into students (id, education_id, name, gender, birth_date, id_number, school_id, stage, updated_at)
            values (${student}::uuid, '55000001', '迁移测试生', 'F', '2005-01-01', '110108200501010029', ${school}::uuid, 'university', now())`.execute(db);
  const card = (id: string, no: string, product: string, status: string) => sql`
    insert into cards (id, card_no, product, student_id, school_id, medium, status, status_changed_at, created_at, updated_at)
    values (${id}::uuid, ${no}, ${product}, ${student}::uuid, ${school}::uuid, 'physical', ${status}, now(), now(), now())`.execute(db);
  await card(cards.transit, 'C55-1', 'university_ecard', 'active');
  await card(cards.returned, 'C55-2', 'university_ecard', 'returned');
  await card(cards.campus, 'C55-3', 'campus_card', 'active');
  await card(cards.temporary, 'C55-4', 'temporary_card', 'active');
  let position = 0;
  const action = (id: string, cardId: string, applied: boolean) => sql`
    insert into transit_card_actions (id, position, card_id, card_no, kind, amount_fen, source, created_at, applied_at, applied_terminal_id, applied_seq)
    values (${id}::uuid, ${++position}, ${cardId}::uuid, 'x', 'top_up', 1000, ${`order:${id}`}, now(),
            ${applied ? new Date() : null}, ${applied ? newId() : null}::uuid, ${applied ? 1 : null})`.execute(db);
  await action(actions.transit, cards.transit, false);
  await action(actions.returned, cards.returned, false);
  await action(actions.returnedApplied, cards.returned, true);
  await action(actions.campus, cards.campus, false);
  await action(actions.temporary, cards.temporary, false);
  await migrateToLatest(db);
}, 60_000);
afterAll(async () => handle.close());

describe('migration 0055: withdrawn action-list entries', () => {
  it('withdraws what no card will take, and leaves applied entries and a card in use alone', async () => {
    const { rows } = await sql<{ id: string; withdrawn_reason: string | null; withdrawn: boolean }>`
      select id, withdrawn_reason, withdrawn_at is not null as withdrawn from transit_card_actions`.execute(handle.db);
    const reasonOf = Object.fromEntries(rows.map((r) => [r.id, r.withdrawn ? r.withdrawn_reason : null]));
    expect(reasonOf).toEqual({
      [actions.transit]: null,
      [actions.returned]: 'returned',
      [actions.returnedApplied]: null,
      [actions.campus]: 'not_on_card',
      [actions.temporary]: 'not_on_card',
    });
  });
});
