import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibleStudentIds, mayAccessSchool, mayAccessStudent } from '../../src/platform/access.js';
import type { Caller } from '../../src/platform/auth.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let schoolA: { id: string };
let schoolB: { id: string };
let studentA: { id: string };
let studentB: { id: string };
let callers: Record<string, Caller>;

const caller = (role: Caller['role'], subjectId: string, schoolId: string | null = null): Caller => ({ sessionId: 's', role, subjectId, schoolId, loginKind: 'staff' });

beforeAll(async () => {
  t = await createTestApp();
  schoolA = await t.factory.newSchool();
  schoolB = await t.factory.newSchool();
  studentA = await t.factory.newStudent({ schoolId: schoolA.id });
  studentB = await t.factory.newStudent({ schoolId: schoolB.id });
  const parentOfA = await t.factory.newParent({ children: [studentA.id] });
  const managerOfA = await t.factory.newStaff('school_admin', { schoolId: schoolA.id });
  const operator = await t.factory.newStaff('operator');
  callers = {
    operator: caller('operator', operator.id),
    managerOfA: caller('school_admin', managerOfA.id, schoolA.id),
    parentOfA: caller('parent', parentOfA.id),
    studentA: caller('student', studentA.id),
    terminal: caller('terminal', '00000000-0000-7000-8000-000000000001'),
  };
});
afterAll(async () => t.close());

/** role × resource: every cell is checked, so a leak in any one fails the test. */
describe('access matrix', () => {
  const expected: Record<string, { studentA: boolean; studentB: boolean; schoolA: boolean; schoolB: boolean }> = {
    operator: { studentA: true, studentB: true, schoolA: true, schoolB: true },
    managerOfA: { studentA: true, studentB: false, schoolA: true, schoolB: false },
    parentOfA: { studentA: true, studentB: false, schoolA: false, schoolB: false },
    studentA: { studentA: true, studentB: false, schoolA: false, schoolB: false },
    terminal: { studentA: false, studentB: false, schoolA: false, schoolB: false },
  };

  for (const [who, cells] of Object.entries(expected)) {
    it(`${who}`, async () => {
      const c = callers[who]!;
      expect({
        studentA: await mayAccessStudent(t.ctx.db, c, studentA.id),
        studentB: await mayAccessStudent(t.ctx.db, c, studentB.id),
        schoolA: mayAccessSchool(c, schoolA.id),
        schoolB: mayAccessSchool(c, schoolB.id),
      }).toEqual(cells);
    });
  }

  it('lists exactly the students each caller may see', async () => {
    expect(await accessibleStudentIds(t.ctx.db, callers.operator!)).toBeNull();
    expect(await accessibleStudentIds(t.ctx.db, callers.parentOfA!)).toEqual([studentA.id]);
    expect(await accessibleStudentIds(t.ctx.db, callers.studentA!)).toEqual([studentA.id]);
    expect(await accessibleStudentIds(t.ctx.db, callers.managerOfA!)).toEqual([studentA.id]);
    expect(await accessibleStudentIds(t.ctx.db, callers.terminal!)).toEqual([]);
  });
});
