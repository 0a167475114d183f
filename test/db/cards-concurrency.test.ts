import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDomainError } from '../../src/domain/errors.js';
import { changeCardStatus } from '../../src/modules/cards/card-status.js';
import { issueCard } from '../../src/modules/cards/issue-card.js';
import { systemActor } from '../../src/platform/audit.js';
import { inTransaction } from '../../src/platform/db/database.js';
import { constraintError } from '../../src/platform/errors.js';
import '../../src/modules/cards/cards.errors.js';
import { createTestApp, type TestApp } from '../support/app.js';

/**
 * The card rules under concurrency, straight against the database (on PostgreSQL these really
 * race; PGlite serialises them): two requests can never leave two active student transit cards
 * for one identity, and one card's status changes apply one at a time.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (isDomainError(e) ? e.code : String(e)));

describe('one active student transit card per identity, under races', () => {
  it('of ten simultaneous issues of an active transit card, exactly one succeeds', async () => {
    const student = await t.factory.newStudent();
    const products = ['k12_card', 'k12_ecard', 'university_ecard'] as const;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        outcome(inTransaction(t.ctx.db, (tx) => issueCard(tx, t.clock, { product: products[i % 3] ?? 'k12_card', studentId: student.id, active: true, reason: 'race', actor: systemActor, requestId: null }))),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'CARD_ONE_ACTIVE')).toBe(true);
    const active = await t.ctx.db.selectFrom('cards').select('id').where('student_id', '=', student.id).where('status', '=', 'active').execute();
    expect(active).toHaveLength(1);
  });

  it('the database itself refuses a second active transit card written behind the use case’s back', async () => {
    const student = await t.factory.newStudent();
    const card = await t.factory.newCard(student.id);
    const error = await t.ctx.db
      .insertInto('cards')
      .values({ ...card, id: '019a0000-0000-7000-8000-000000000001', card_no: '32000000217', device: null })
      .execute()
      .then(() => null, (e: unknown) => e);
    expect(constraintError(error)?.code).toBe('CARD_ONE_ACTIVE');
  });

  it('two simultaneous loss reports of one card: one applies, the other is refused', async () => {
    const student = await t.factory.newStudent();
    const card = await t.factory.newCard(student.id);
    const report = () => outcome(inTransaction(t.ctx.db, (tx) => changeCardStatus(tx, t.clock, { cardId: card.id, event: 'report_loss', reason: 'race', actor: systemActor, requestId: null })));
    const results = await Promise.all([report(), report(), report()]);
    expect(results.sort()).toEqual(['CARD_TRANSITION_INVALID', 'CARD_TRANSITION_INVALID', 'ok']);
    const events = await t.ctx.db.selectFrom('card_status_events').select(['to_status']).where('card_id', '=', card.id).execute();
    expect(events.map((e) => e.to_status)).toEqual(['active', 'lost']);
  });

  it('status events get gap-free versions even when many cards change at once', async () => {
    const before = await t.ctx.db.selectFrom('card_status_events').select((eb) => eb.fn.max('version').as('max')).executeTakeFirstOrThrow();
    const students = await Promise.all(Array.from({ length: 8 }, () => t.factory.newStudent()));
    const cards = await Promise.all(students.map((s) => t.factory.newCard(s.id)));
    await Promise.all(cards.map((c) => inTransaction(t.ctx.db, (tx) => changeCardStatus(tx, t.clock, { cardId: c.id, event: 'report_loss', reason: 'race', actor: systemActor, requestId: null }))));
    const versions = (await t.ctx.db.selectFrom('card_status_events').select('version').where('version', '>', Number(before.max ?? 0)).orderBy('version').execute()).map((r) => Number(r.version));
    expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => Number(before.max ?? 0) + 1 + i));
    expect(versions).toHaveLength(16);
  });
});
