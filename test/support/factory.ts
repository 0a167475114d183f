import { makeIdNumber } from '../../src/domain/id-number.js';
import type { CardProduct } from '../../src/domain/card-lifecycle.js';
import { issueCard } from '../../src/modules/cards/issue-card.js';
import type { AppContext } from '../../src/platform/context.js';
import type { SchoolStage, StaffRole } from '../../src/platform/db/schema.js';
import type { App } from '../../src/platform/http/server.js';
import { newId } from '../../src/platform/ids.js';
import { hashPassword } from '../../src/platform/passwords.js';

let sequence = 0;
const next = () => ++sequence;

/** Makes the records a test needs, with believable defaults; `loginAs` returns a bearer token. */
export class Factory {
  constructor(
    private readonly ctx: AppContext,
    private readonly app: App,
  ) {}

  async newSchool(overrides: { stage?: SchoolStage; name?: string } = {}) {
    const n = next();
    const school = { id: newId(), code: `T-${process.pid}-${n}`, name: overrides.name ?? `测试学校${n}`, stage: overrides.stage ?? 'middle', district: '海淀区' };
    await this.ctx.db.insertInto('schools').values(school).execute();
    return school;
  }

  /** `queryPassword`: a campus query password of the student's own (else the initial one is in force). */
  async newStudent(overrides: { schoolId?: string; birthDate?: string; name?: string; password?: string; queryPassword?: string } = {}) {
    const schoolId = overrides.schoolId ?? (await this.newSchool()).id;
    const school = await this.ctx.db.selectFrom('schools').select('stage').where('id', '=', schoolId).executeTakeFirstOrThrow();
    const n = next();
    const birthDate = overrides.birthDate ?? '2012-05-20';
    const password = overrides.password ?? birthDate.replaceAll('-', '');
    const student = {
      id: newId(),
      education_id: String(30000000 + ((process.pid * 1000 + n) % 69999999)).padStart(8, '0'),
      name: overrides.name ?? '测试学生',
      gender: 'F' as const,
      birth_date: birthDate,
      id_number: makeIdNumber({ areaCode: '110108', birthDate, sequence: n % 500, gender: 'F' }),
      school_id: schoolId,
      class_id: null,
      stage: school.stage,
      password_hash: await hashPassword(password),
      must_change_password: true,
      ...(overrides.queryPassword ? { campus_password_hash: await hashPassword(overrides.queryPassword), campus_must_change: false } : {}),
      // Made now by the test's clock, not the database's: what dates from the account (the notices it has not read) follows the clock.
      created_at: this.ctx.clock.now(),
      updated_at: this.ctx.clock.now(),
    };
    await this.ctx.db.insertInto('students').values(student).execute();
    return { ...student, password };
  }

  /**
   * A card for the student, issued as the cards module issues it (purse and first status event
   * included); active by default, as a card in daily use is.
   */
  async newCard(studentId: string, options: { product?: CardProduct; active?: boolean; validUntil?: string | null } = {}) {
    return issueCard(this.ctx.db, this.ctx.clock, {
      product: options.product ?? 'k12_card', studentId, active: options.active ?? true, validUntil: options.validUntil ?? null,
      reason: 'test', actor: { role: 'system', id: null }, requestId: null,
    });
  }

  /** The card photo the school takes (a tiny JPEG), as the photo upload stores it: 制卡信息确认 and production need one. */
  async givePhoto(studentId: string) {
    const bytes = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
    await this.ctx.db.insertInto('student_photos').values({ student_id: studentId, content_type: 'image/jpeg', bytes, updated_at: this.ctx.clock.now() })
      .onConflict((oc) => oc.column('student_id').doNothing()).execute();
  }

  async newParent(options: { children?: string[]; password?: string } = {}) {
    const n = next();
    const password = options.password ?? '123456';
    const parent = { id: newId(), phone: `139${String(process.pid * 100 + n).padStart(8, '0').slice(-8)}`, display_name: '测试家长', password_hash: await hashPassword(password), must_change_password: true, created_at: this.ctx.clock.now() };
    await this.ctx.db.insertInto('parents').values(parent).execute();
    for (const studentId of options.children ?? []) {
      await this.ctx.db.insertInto('parent_students').values({ parent_id: parent.id, student_id: studentId, relation: '母亲', bound_at: this.ctx.clock.now() }).execute();
    }
    return { ...parent, password };
  }

  async newStaff(role: StaffRole, options: { schoolId?: string | null; password?: string } = {}) {
    const n = next();
    const password = options.password ?? 'Staff-pass-2026';
    const schoolId = options.schoolId ?? (role === 'school_admin' ? (await this.newSchool()).id : null);
    const staff = { id: newId(), username: `${role}-${process.pid}-${n}`, display_name: `测试${role}`, role, school_id: schoolId, password_hash: await hashPassword(password) };
    await this.ctx.db.insertInto('staff_users').values(staff).execute();
    return { ...staff, password };
  }

  /** Signs in through the real endpoint and returns the bearer token. */
  async loginAs(as: 'student' | 'parent' | 'staff', login: string, password: string): Promise<string> {
    const res = await this.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as, login, password } });
    if (res.statusCode !== 201) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return (res.json() as { token: string }).token;
  }

  async operatorToken(): Promise<string> {
    const op = await this.newStaff('operator');
    return this.loginAs('staff', op.username, op.password);
  }
}
