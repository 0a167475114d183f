import type { Clock } from '../../platform/clock.js';
import { inTransaction, type Tx } from '../../platform/db/database.js';
import type { SchoolStage } from '../../platform/db/schema.js';
import { maskName, maskPhone } from '../../domain/masking.js';
import { INITIAL_PARENT_PASSWORD } from '../../domain/passwords.js';
import { assertStudentAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { hashPassword } from '../../platform/passwords.js';
import { assertNotThrottled, recordAttempt } from './throttle.js';
import { releaseDailyLimit } from '../campus/daily-limit.js';
import { deleteBalanceAlert } from '../payments/balance-alerts.js';
import { deleteSpendNotice } from '../payments/spend-notices.js';
import { isCampusStage } from '../../domain/campus-payments.js';

const actorOf = (caller: Caller) => ({ role: caller.role, id: caller.subjectId });

/**
 * A student (or their school's card manager, or an operator) binds a parent's phone. A phone
 * that has no account yet gets one with the initial password 123456, to be changed at first
 * sign-in; the parent is told by SMS.
 */
export async function bindParentByPhone(ctx: AppContext, caller: Caller, studentId: string, request: { phone: string; relation?: string | undefined }, requestId: string) {
  if (caller.role === 'parent') throw fail('FORBIDDEN');
  await assertStudentAccess(ctx.db, caller, studentId);
  const initialHash = await hashPassword(INITIAL_PARENT_PASSWORD);
  return inTransaction(ctx.db, async (tx) => {
    const student = await tx.selectFrom('students').select(['name']).where('id', '=', studentId).executeTakeFirstOrThrow();
    let parent = await tx.selectFrom('parents').select(['id']).where('phone', '=', request.phone).executeTakeFirst();
    const created = parent === undefined;
    if (!parent) {
      parent = { id: newId() };
      await tx.insertInto('parents').values({ id: parent.id, phone: request.phone, display_name: null, password_hash: initialHash, must_change_password: true }).execute();
    }
    await insertBinding(tx, ctx.clock, { parentId: parent.id, studentId, relation: request.relation ?? null });
    await recordAudit(tx, ctx.clock, { actor: actorOf(caller), action: 'parent.bound', entityType: 'student', entityId: studentId, after: { parentId: parent.id, phone: maskPhone(request.phone), accountCreated: created }, requestId });
    const body = created
      ? `【Onecard】您已绑定学生${maskName(student.name)}。请用本手机号登录，初始密码 ${INITIAL_PARENT_PASSWORD}，首次登录须修改。`
      : `【Onecard】您的账号已绑定学生${maskName(student.name)}。`;
    await ctx.sms.send(tx, { phone: request.phone, body });
    return { parentId: parent.id, phone: maskPhone(request.phone), accountCreated: created };
  });
}

/**
 * How many children of each kind one parent account may hold, as Yikatong allowed: one university
 * student and three K-12 students (domain rules, People).
 */
export const childrenPerParent = { k12: 3, university: 1 } as const;

const childKind = (stage: SchoolStage): keyof typeof childrenPerParent => (isCampusStage(stage) ? 'university' : 'k12');

/**
 * Binds a parent to a student, both ways in (the student binding a phone, the parent proving a
 * child), within the children a parent account may hold. The parent's row is locked first, so two
 * bindings racing for the last place cannot both take it.
 */
async function insertBinding(tx: Tx, clock: Clock, binding: { parentId: string; studentId: string; relation: string | null }): Promise<void> {
  await tx.selectFrom('parents').select('id').where('id', '=', binding.parentId).forUpdate().executeTakeFirstOrThrow();
  const children = await tx
    .selectFrom('parent_students')
    .innerJoin('students', 'students.id', 'parent_students.student_id')
    .select(['students.id', 'students.stage'])
    .where('parent_students.parent_id', '=', binding.parentId)
    .execute();
  if (children.some((c) => c.id === binding.studentId)) throw fail('PARENT_ALREADY_BOUND');
  const student = await tx.selectFrom('students').select('stage').where('id', '=', binding.studentId).executeTakeFirstOrThrow();
  const kind = childKind(student.stage);
  const limit = childrenPerParent[kind];
  if (children.filter((c) => childKind(c.stage) === kind).length >= limit) throw fail('PARENT_CHILD_LIMIT', { kind, limit });
  await tx.insertInto('parent_students').values({ parent_id: binding.parentId, student_id: binding.studentId, relation: binding.relation, bound_at: clock.now() }).execute();
}

export interface ChildProof {
  educationId: string;
  name: string;
  birthDate?: string | undefined;
  idNumberLast6?: string | undefined;
}

/**
 * A parent adds a child by proving they know them: education ID + name + birth date or the
 * last six characters of the ID number. Throttled like sign-in, and a mismatch says nothing
 * about which detail was wrong.
 */
export async function bindChild(ctx: AppContext, parent: Caller, proof: ChildProof, meta: { requestId: string; source: string }) {
  if (parent.role !== 'parent') throw fail('FORBIDDEN');
  const accountKey = `bind-child:${parent.subjectId}`;
  await assertNotThrottled(ctx.db, ctx.clock, accountKey, meta.source);
  const student = await ctx.db.selectFrom('students').select(['id', 'name', 'birth_date', 'id_number']).where('education_id', '=', proof.educationId).executeTakeFirst();
  const proven =
    student !== undefined &&
    student.name === proof.name.trim() &&
    ((proof.birthDate !== undefined && student.birth_date === proof.birthDate) ||
      (proof.idNumberLast6 !== undefined && student.id_number.endsWith(proof.idNumberLast6.toUpperCase())));
  await recordAttempt(ctx.db, ctx.clock, accountKey, meta.source, proven);
  if (!proven || !student) throw fail('IDENTITY_NOT_VERIFIED');
  return inTransaction(ctx.db, async (tx) => {
    await insertBinding(tx, ctx.clock, { parentId: parent.subjectId, studentId: student.id, relation: null });
    await recordAudit(tx, ctx.clock, { actor: actorOf(parent), action: 'child.bound', entityType: 'student', entityId: student.id, after: { parentId: parent.subjectId }, requestId: meta.requestId });
    return { studentId: student.id };
  });
}

/** Either side may end a binding; so may the student's card manager or an operator. */
export async function unbind(ctx: AppContext, caller: Caller, parentId: string, studentId: string, requestId: string): Promise<void> {
  if (caller.role === 'parent' && caller.subjectId !== parentId) throw fail('ACCESS_DENIED');
  if (caller.role !== 'parent') await assertStudentAccess(ctx.db, caller, studentId);
  await inTransaction(ctx.db, async (tx) => {
    const binding = await tx.selectFrom('parent_students').select('parent_id').where('parent_id', '=', parentId).where('student_id', '=', studentId).forUpdate().executeTakeFirst();
    if (!binding) throw fail('BINDING_NOT_FOUND');
    // A daily limit this parent set passes to another bound parent, or ends with the last one.
    const limit = await releaseDailyLimit(tx, parentId, studentId);
    await tx.deleteFrom('parent_students').where('parent_id', '=', parentId).where('student_id', '=', studentId).execute();
    // The parent's low-balance alert and spending notice for the child go with the binding (bound again, they start unset).
    await deleteBalanceAlert(tx, parentId, studentId);
    await deleteSpendNotice(tx, parentId, studentId);
    if (limit && !limit.handedTo && caller.subjectId !== parentId) await textLimitLifted(ctx, tx, parentId, studentId);
    await recordAudit(tx, ctx.clock, { actor: actorOf(caller), action: 'parent.unbound', entityType: 'student', entityId: studentId, before: { parentId, ...(limit ? { dailyLimitFen: limit.limitFen } : {}) }, after: limit ? { dailyLimitHandedTo: limit.handedTo } : null, requestId });
  });
}

/** The parent learns that someone else's unbinding lifted the daily limit they had set. */
async function textLimitLifted(ctx: AppContext, tx: Tx, parentId: string, studentId: string): Promise<void> {
  const [parent, student] = await Promise.all([
    tx.selectFrom('parents').select('phone').where('id', '=', parentId).executeTakeFirstOrThrow(),
    tx.selectFrom('students').select('name').where('id', '=', studentId).executeTakeFirstOrThrow(),
  ]);
  await ctx.sms.send(tx, { phone: parent.phone, body: `【北京学生卡】您与孩子${maskName(student.name)}的绑定已解除，您设置的每日消费限额随之取消。` });
}

/** A parent's children, masked as every screen shows them. */
export async function listChildren(ctx: AppContext, parent: Caller) {
  const rows = await ctx.db
    .selectFrom('parent_students')
    .innerJoin('students', 'students.id', 'parent_students.student_id')
    .innerJoin('schools', 'schools.id', 'students.school_id')
    .leftJoin('classes', 'classes.id', 'students.class_id')
    .select(['students.id', 'students.education_id', 'students.name', 'students.stage', 'students.birth_date', 'schools.name as school_name', 'classes.grade', 'classes.class_no', 'parent_students.relation'])
    .where('parent_students.parent_id', '=', parent.subjectId)
    .orderBy('parent_students.bound_at')
    .execute();
  return rows.map((r) => ({
    studentId: r.id,
    educationId: r.education_id,
    name: maskName(r.name),
    stage: r.stage,
    schoolName: r.school_name,
    grade: r.grade,
    classNo: r.class_no,
    relation: r.relation,
  }));
}

/** The parents bound to a student, phones masked. */
export async function listParents(ctx: AppContext, caller: Caller, studentId: string) {
  await assertStudentAccess(ctx.db, caller, studentId);
  const rows = await ctx.db
    .selectFrom('parent_students')
    .innerJoin('parents', 'parents.id', 'parent_students.parent_id')
    .select(['parents.id', 'parents.phone', 'parent_students.relation', 'parent_students.bound_at'])
    .where('parent_students.student_id', '=', studentId)
    .orderBy('parent_students.bound_at')
    .execute();
  return rows.map((r) => ({ parentId: r.id, phone: maskPhone(r.phone), relation: r.relation, boundAt: r.bound_at.toISOString() }));
}
