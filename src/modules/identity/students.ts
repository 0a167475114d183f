import { sql } from 'kysely';
import { isEducationId } from '../../domain/education-id.js';
import { validateIdNumber } from '../../domain/id-number.js';
import { shanghaiDate } from '../../domain/calendar.js';
import { maskIdNumber, maskName } from '../../domain/masking.js';
import { formatYuan } from '../../domain/money.js';
import { assertSchoolAccess, assertStudentAccess } from '../../platform/access.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Clock } from '../../platform/clock.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import type { DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { transferConfirmation } from '../fulfilment/confirmations.js';
import { giveUpFirstCard } from '../fulfilment/first-card.js';
import { purseAvailableSql, purseJoinCondition } from '../ledger/ledger.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import { identityRepository } from './identity.repository.js';
import { listParents } from './parent-binding.js';
import type { CreateStudentRequest, StudentDetail, StudentRow, UpdateStudentRequest } from './students.schemas.js';
import { isCampusStage } from '../../domain/campus-payments.js';
import '../campus/campus.errors.js';

const actorOf = (caller: Caller) => ({ role: caller.role, id: caller.subjectId });

function studentsQuery(db: DbOrTx) {
  return db
    .selectFrom('students')
    .innerJoin('schools', 'schools.id', 'students.school_id')
    .leftJoin('classes', 'classes.id', 'students.class_id')
    .leftJoin('student_photos', 'student_photos.student_id', 'students.id');
}

const rowColumns = [
  'students.id', 'students.education_id', 'students.name', 'students.gender', 'students.id_number', 'students.school_id',
  'schools.name as school_name', 'students.stage', 'classes.grade', 'classes.class_no', 'students.status', 'student_photos.student_id as photo_of',
] as const;

type RawRow = { id: string; education_id: string; name: string; gender: 'M' | 'F'; id_number: string; school_id: string; school_name: string; stage: StudentRow['stage']; grade: number | null; class_no: string | null; status: StudentRow['status']; photo_of: string | null };

/** Every screen gets students masked: 张*, 110***********123X. */
function toRow(r: RawRow): StudentRow {
  return {
    id: r.id, educationId: r.education_id, name: maskName(r.name), gender: r.gender, idNumber: maskIdNumber(r.id_number),
    schoolId: r.school_id, schoolName: r.school_name, stage: r.stage, grade: r.grade, classNo: r.class_no, status: r.status, hasPhoto: r.photo_of !== null,
  };
}

export async function searchStudents(ctx: AppContext, caller: Caller, filter: { q?: string | undefined; schoolId?: string | undefined; classId?: string | undefined; status?: StudentRow['status'] | undefined }, page: PageQuery) {
  let query = studentsQuery(ctx.db);
  if (caller.role === 'school_admin') query = query.where('students.school_id', '=', caller.schoolId!);
  if (filter.schoolId) query = query.where('students.school_id', '=', filter.schoolId);
  if (filter.classId) query = query.where('students.class_id', '=', filter.classId);
  if (filter.status) query = query.where('students.status', '=', filter.status);
  if (filter.q) {
    const q = filter.q;
    query = /^\d{1,8}$/.test(q) ? query.where('students.education_id', 'like', `${q}%`) : query.where('students.name', 'like', `%${q.replace(/[\\%_]/g, '\\$&')}%`);
  }
  const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const rows = await query.select(rowColumns).orderBy('students.education_id').limit(page.pageSize).offset(offsetOf(page)).execute();
  return { items: rows.map(toRow), total: Number(total), page: page.page, pageSize: page.pageSize };
}

export async function studentDetail(ctx: AppContext, caller: Caller, studentId: string): Promise<StudentDetail> {
  await assertStudentAccess(ctx.db, caller, studentId);
  const r = await studentsQuery(ctx.db).select([...rowColumns, 'students.birth_date', 'students.student_no', 'students.salaried', 'students.college', 'students.major', 'students.study_level', 'students.full_time']).where('students.id', '=', studentId).executeTakeFirst();
  if (!r) throw fail('NOT_FOUND', { entity: 'student' });
  const history = await ctx.db.selectFrom('audit_log').select(['at', 'action', 'actor_role', 'before', 'after']).where('entity_type', '=', 'student').where('entity_id', '=', studentId).orderBy('at', 'desc').limit(50).execute();
  return {
    ...toRow(r),
    birthDate: `${r.birth_date.slice(0, 7)}-**`,
    studentNo: r.student_no,
    salaried: r.salaried,
    college: r.college,
    major: r.major,
    studyLevel: r.study_level,
    fullTime: r.full_time,
    parents: await listParents(ctx, caller, studentId),
    history: history.map((h) => ({ at: h.at.toISOString(), action: h.action, actorRole: h.actor_role, before: h.before, after: h.after })),
  };
}

/** The checks a student record must pass, wherever it comes from. */
export function assertValidStudentIdentity(record: { educationId: string; birthDate: string; gender: 'M' | 'F'; idNumber: string }, today: string): string {
  if (!isEducationId(record.educationId)) throw fail('EDUCATION_ID_FORMAT');
  const id = validateIdNumber(record.idNumber, today);
  if (!id.ok) throw fail(id.code);
  if (id.birthDate !== record.birthDate || id.gender !== record.gender) throw fail('BIRTH_DATE_MISMATCH', { field: id.birthDate !== record.birthDate ? 'birthDate' : 'gender' });
  return id.idNumber;
}

async function assertClassOfSchool(db: DbOrTx, classId: string | null | undefined, schoolId: string): Promise<void> {
  if (!classId) return;
  const found = await db.selectFrom('classes').select('id').where('id', '=', classId).where('school_id', '=', schoolId).executeTakeFirst();
  if (!found) throw fail('CLASS_UNKNOWN');
}

export async function createStudent(ctx: AppContext, tx: DbOrTx, caller: Caller, schoolId: string, request: CreateStudentRequest, requestId: string) {
  assertSchoolAccess(caller, schoolId);
  const idNumber = assertValidStudentIdentity(request, shanghaiDate(ctx.clock.now()));
  const school = await tx.selectFrom('schools').select('stage').where('id', '=', schoolId).executeTakeFirst();
  if (!school) throw fail('NOT_FOUND', { entity: 'school' });
  await assertClassOfSchool(tx, request.classId, schoolId);
  const id = newId();
  const inserted = await tx
    .insertInto('students')
    .values({
      id, education_id: request.educationId, name: request.name, gender: request.gender, birth_date: request.birthDate, id_number: idNumber,
      school_id: schoolId, class_id: request.classId, stage: school.stage, salaried: request.salaried, student_no: request.studentNo,
      password_hash: null, updated_at: ctx.clock.now(),
    })
    .onConflict((oc) => oc.column('education_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw fail('EDUCATION_ID_TAKEN');
  await recordAudit(tx, ctx.clock, { actor: actorOf(caller), action: 'student.created', entityType: 'student', entityId: id, after: { educationId: request.educationId, schoolId, classId: request.classId }, requestId });
  return { id };
}

/**
 * Promotion (new class or stage), transfer (another school) and status changes. The education
 * ID never changes; the audit row keeps the before and after, so history survives the move.
 */
export async function updateStudent(ctx: AppContext, tx: DbOrTx, caller: Caller, studentId: string, change: UpdateStudentRequest, requestId: string) {
  await assertStudentAccess(tx, caller, studentId);
  const before = await tx.selectFrom('students').select(['school_id', 'class_id', 'stage', 'status', 'salaried', 'student_no', 'college', 'major', 'study_level', 'full_time']).where('id', '=', studentId).forUpdate().executeTakeFirstOrThrow();
  const schoolId = change.schoolId ?? before.school_id;
  // A card manager may move a student out of their school, but only an operator into another.
  if (change.schoolId && change.schoolId !== before.school_id && caller.role !== 'operator') throw fail('FORBIDDEN');
  const school = await tx.selectFrom('schools').select('stage').where('id', '=', schoolId).executeTakeFirst();
  if (!school) throw fail('NOT_FOUND', { entity: 'school' });
  const classId = change.classId !== undefined ? change.classId : change.schoolId && change.schoolId !== before.school_id ? null : before.class_id;
  await assertClassOfSchool(tx, classId, schoolId);
  // 院系 and 专业 belong to a university or vocational college, and to that one: a transfer clears them unless new ones are given.
  const campusSchool = isCampusStage(school.stage);
  if (change.college && !campusSchool) throw fail('STUDENT_COLLEGE_CAMPUS_ONLY');
  if (change.major && !campusSchool) throw fail('STUDENT_MAJOR_CAMPUS_ONLY');
  if ((change.studyLevel || typeof change.fullTime === 'boolean') && !campusSchool) throw fail('STUDENT_STUDY_LEVEL_CAMPUS_ONLY');
  const keptOr = (given: string | null | undefined, stored: string | null) => (!campusSchool ? null : given !== undefined ? given : schoolId !== before.school_id ? null : stored);
  const college = keptOr(change.college, before.college);
  const major = keptOr(change.major, before.major);
  // 培养层次 and 学习形式 likewise (migration 0053).
  const keptLevelOr = <T>(given: T | null | undefined, stored: T | null) => (!campusSchool ? null : given !== undefined ? given : schoolId !== before.school_id ? null : stored);
  const study_level = keptLevelOr(change.studyLevel, before.study_level);
  const full_time = keptLevelOr(change.fullTime, before.full_time);
  const after = {
    school_id: schoolId, class_id: classId, stage: school.stage, status: change.status ?? before.status,
    salaried: change.salaried ?? before.salaried, student_no: change.studentNo !== undefined ? change.studentNo : before.student_no,
    college,
    major,
    study_level,
    full_time,
  };
  await tx.updateTable('students').set({ ...after, updated_at: ctx.clock.now() }).where('id', '=', studentId).execute();
  const action = after.school_id !== before.school_id ? 'student.transferred' : after.stage !== before.stage || after.class_id !== before.class_id ? 'student.promoted' : 'student.updated';
  await recordAudit(tx, ctx.clock, { actor: actorOf(caller), action, entityType: 'student', entityId: studentId, before, after, requestId });
  // Graduating or leaving the city's schools; a transfer keeps the card, which works at any school.
  if (before.status === 'enrolled' && (after.status === 'graduated' || after.status === 'left')) await textParentsOfLeaver(ctx, tx, studentId, after.status);
  // A first card not yet printed is given up: a leaver needs none, and the new school opens its own.
  if (after.status !== 'enrolled' || after.school_id !== before.school_id) {
    await giveUpFirstCard(tx, ctx.clock, studentId, actorOf(caller), after.status !== 'enrolled' ? after.status : 'transferred', requestId);
  }
  // The new school's name goes on the next card: the family confirms the card information again.
  if (after.school_id !== before.school_id) await transferConfirmation(tx, ctx.clock, studentId, after.school_id, actorOf(caller), requestId);
  return { id: studentId, stage: after.stage, schoolId: after.school_id, action };
}

const leavingWords = { graduated: '毕业', left: '离校' } as const;

/**
 * Domain rules 10 (refund of the balance on graduation or leaving): when a student graduates or
 * leaves and their cards not yet returned still hold money, each bound parent is told how much
 * and where to take it back (the app's 待办 says the same). Sent with the change, in its
 * transaction.
 */
async function textParentsOfLeaver(ctx: AppContext, tx: DbOrTx, studentId: string, status: keyof typeof leavingWords): Promise<void> {
  const { rows: [held] } = await sql<{ fen: string | null; name: string }>`
    select sum(${purseAvailableSql('a')}) as fen, s.name
    from students s
    left join cards c on c.student_id = s.id and c.status not in ('replaced', 'returned', 'closed')
    left join ledger_accounts a on ${purseJoinCondition('a', 'c.id')}
    where s.id = ${studentId}
    group by s.name`.execute(tx);
  const balanceFen = Number(held?.fen ?? 0);
  if (!held || balanceFen <= 0) return;
  // Each card is refunded on its own (in the app up to its limit, else at an outlet): the app says which for each.
  for (const phone of await identityRepository.parentPhones(tx, studentId)) {
    await ctx.sms.send(tx, { phone, body: `【北京学生卡】您孩子${maskName(held.name)}已${leavingWords[status]}，其学生卡余额共 ${formatYuan(balanceFen)}，请在北京学生卡 App 中办理退卡退资，App 会说明每张卡在线退回或到服务网点办理。` });
  }
}

/** Creates a school; the console and `onecard school create` both come here. */
export async function createSchool(db: DbOrTx, clock: Clock, actor: AuditActor, request: { code: string; name: string; stage: StudentRow['stage']; district: string | null }, requestId: string | null = null) {
  const id = newId();
  const inserted = await db.insertInto('schools').values({ id, ...request }).onConflict((oc) => oc.column('code').doNothing()).returning('id').executeTakeFirst();
  if (!inserted) throw fail('SCHOOL_CODE_TAKEN', { code: request.code });
  await recordAudit(db, clock, { actor, action: 'school.created', entityType: 'school', entityId: id, after: request, requestId });
  return { id, ...request };
}

/**
 * 服务点: where the university's self-service kiosk stands, which the app names on the campus
 * card's page (seed 004: replacement and the consumption password are the kiosk's). Its card
 * manager or an operator sets it; null clears it.
 */
export async function setServicePoint(ctx: AppContext, caller: Caller, schoolId: string, servicePoint: string | null, requestId: string) {
  assertSchoolAccess(caller, schoolId);
  const school = await ctx.db.selectFrom('schools').select(['stage', 'service_point']).where('id', '=', schoolId).forUpdate().executeTakeFirst();
  if (!school) throw fail('NOT_FOUND', { entity: 'school', schoolId });
  if (!isCampusStage(school.stage)) throw fail('CAMPUS_SCHOOL_INVALID', { schoolId });
  if (school.service_point !== servicePoint) {
    await ctx.db.updateTable('schools').set({ service_point: servicePoint }).where('id', '=', schoolId).execute();
    await recordAudit(ctx.db, ctx.clock, { actor: actorOf(caller), action: 'school.service_point_changed', entityType: 'school', entityId: schoolId, before: { servicePoint: school.service_point }, after: { servicePoint }, requestId });
  }
  return { schoolId, servicePoint };
}

export async function listClasses(ctx: AppContext, caller: Caller, schoolId: string) {
  assertSchoolAccess(caller, schoolId);
  const rows = await ctx.db
    .selectFrom('classes')
    .select(['classes.id', 'classes.grade', 'classes.class_no'])
    .select((eb) => eb.selectFrom('students').select(sql<number>`count(*)`.as('n')).whereRef('students.class_id', '=', 'classes.id').as('student_count'))
    .where('classes.school_id', '=', schoolId)
    .orderBy('classes.grade')
    .orderBy('classes.class_no')
    .execute();
  return rows.map((r) => ({ id: r.id, grade: r.grade, classNo: r.class_no, studentCount: Number(r.student_count ?? 0) }));
}

/** A card manager (their own school) or an operator adds a class. */
export async function addClassAs(ctx: AppContext, caller: Caller, schoolId: string, request: { grade: number; classNo: string }, requestId: string) {
  assertSchoolAccess(caller, schoolId);
  return createClass(ctx.db, ctx.clock, actorOf(caller), schoolId, request, requestId);
}

/** Adds a class (its number written with two digits, as schools print it); `addClassAs` checks who may, the CLI is an operator. */
export async function createClass(tx: DbOrTx, clock: Clock, actor: AuditActor, schoolId: string, request: { grade: number; classNo: string }, requestId: string | null) {
  const classNo = request.classNo.padStart(2, '0');
  const id = newId();
  const inserted = await tx.insertInto('classes').values({ id, school_id: schoolId, grade: request.grade, class_no: classNo }).onConflict((oc) => oc.columns(['school_id', 'grade', 'class_no']).doNothing()).returning('id').executeTakeFirst();
  if (!inserted) throw fail('CLASS_EXISTS');
  await recordAudit(tx, clock, { actor, action: 'class.created', entityType: 'school', entityId: schoolId, after: { classId: id, grade: request.grade, classNo }, requestId });
  return { id, grade: request.grade, classNo, studentCount: 0 };
}
