import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdNumber } from '../../src/domain/id-number.js';
import { initialCampusPassword } from '../../src/domain/passwords.js';
import { INTERRUPTED_AFTER_MS } from '../../src/modules/roster/roster-import-status.js';
import type { RosterImport } from '../../src/modules/roster/roster.schemas.js';
import { rowProblemCodes } from '../../src/modules/roster/row-problems.js';
import { newId } from '../../src/platform/ids.js';
import { projectRoot } from '../../src/platform/paths.js';
import { createTestApp, type TestApp } from '../support/app.js';

let t: TestApp;
let operator: string;

beforeAll(async () => {
  t = await createTestApp();
  operator = await t.factory.operatorToken();
});
afterAll(async () => t.close());

const fixture = (name: string) => readFileSync(join(projectRoot(), 'test/fixtures', name));
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const codeOf = (res: { json(): unknown }) => (res.json() as { error?: { code: string } }).error?.code;

function upload(schoolId: string, body: Buffer | string, token: string, options: { headers?: Record<string, string>; query?: string } = {}) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/admin/schools/${schoolId}/roster-imports${options.query ?? ''}`,
    payload: body,
    headers: { ...auth(token), 'content-type': 'text/csv', ...options.headers },
  });
}

const getImport = (id: string, token: string) => t.app.inject({ url: `/api/v1/admin/roster-imports/${id}`, headers: auth(token) });

/** Polls the import until it leaves 'running', as the console does. */
async function waitForImport(id: string, token = operator): Promise<RosterImport> {
  for (let attempt = 0; attempt < 2_000; attempt += 1) {
    const res = await getImport(id, token);
    const body = res.json() as RosterImport;
    if (res.statusCode !== 200) throw new Error(`GET import: ${res.statusCode} ${res.body}`);
    if (body.status !== 'running') return body;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`import ${id} did not finish`);
}

async function importFile(schoolId: string, body: Buffer | string, token = operator): Promise<RosterImport> {
  const res = await upload(schoolId, body, token);
  expect(res.statusCode, res.body).toBe(202);
  return waitForImport((res.json() as { id: string }).id, token);
}

async function schoolWithClasses(stage: 'primary' | 'middle', classes: [grade: number, classNo: string][]) {
  const school = await t.factory.newSchool({ stage });
  for (const [grade, classNo] of classes) await t.ctx.db.insertInto('classes').values({ id: newId(), school_id: school.id, grade, class_no: classNo }).execute();
  return school;
}

const studentsOf = (schoolId: string) =>
  t.ctx.db
    .selectFrom('students')
    .innerJoin('classes', 'classes.id', 'students.class_id')
    .select(['education_id', 'students.name', 'gender', 'birth_date', 'id_number', 'stage', 'status', 'password_hash', 'classes.grade', 'classes.class_no'])
    .where('students.school_id', '=', schoolId)
    .orderBy('education_id')
    .execute();

/** Each fixture test imports into a new school; the fixture's students must not belong to an earlier one. */
const fixtureEducationIds = ['31000001', '31000002', '31000101', '31000102'];
async function forgetFixtureStudents() {
  await t.ctx.db.deleteFrom('students').where('education_id', 'in', fixtureEducationIds).execute();
}

const header = '教育ID,姓名,性别,出生日期,身份证号,年级,班级';
let idSequence = 0;
const idFor = (birthDate: string, gender: 'M' | 'F') => makeIdNumber({ areaCode: '110105', birthDate, gender, sequence: (idSequence += 1) % 500 });

describe('roster import', () => {
  it('imports a GBK file with Chinese headers: good rows become students on their initial password, the bad row is reported', async () => {
    await forgetFixtureStudents();
    const school = await schoolWithClasses('middle', [[7, '01'], [7, '02']]);
    const done = await importFile(school.id, fixture('roster-gbk.csv'));
    expect(done).toMatchObject({ status: 'done', totalRows: 3, processedRows: 3, created: 2, updated: 0, rejected: 1, error: null, reportTruncated: false });
    expect(done.report).toEqual([
      { row: 4, field: 'idNumber', code: 'ID_NUMBER_CHECKSUM', message: '身份证号校验位不正确', messageEn: 'The ID number check digit is wrong' },
    ]);
    expect(await studentsOf(school.id)).toEqual([
      { education_id: '31000001', name: '王小明', gender: 'M', birth_date: '2013-03-05', id_number: '110108201303050033', stage: 'middle', status: 'enrolled', password_hash: null, grade: 7, class_no: '01' },
      { education_id: '31000002', name: '李小红', gender: 'F', birth_date: '2013-06-11', id_number: '110108201306110046', stage: 'middle', status: 'enrolled', password_hash: null, grade: 7, class_no: '02' },
    ]);
    // No hash was written: the birth date signs in, and must be changed.
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'student', login: '31000001', password: '20130305' } });
    expect(login.statusCode).toBe(201);
    expect(login.json()).toMatchObject({ mustChangePassword: true });
  });

  it('imports a UTF-8 file with a BOM, English headers in another order, extra columns, and classes written 3 or 03', async () => {
    await forgetFixtureStudents();
    const school = await schoolWithClasses('middle', [[8, '03']]);
    const done = await importFile(school.id, fixture('roster-utf8-bom.csv'));
    expect(done).toMatchObject({ status: 'done', created: 2, rejected: 0, report: [] });
    const students = await studentsOf(school.id);
    expect(students.map((s) => [s.education_id, s.name, s.class_no])).toEqual([['31000101', '孙一', '03'], ['31000102', '欧阳, 二', '03']]);
  });

  it('re-importing is harmless: every row is updated, nothing is duplicated, passwords and status stay', async () => {
    const school = await schoolWithClasses('middle', [[7, '01'], [7, '02']]);
    const csv = (name: string) => `${header}\n32000001,${name},男,2013-03-05,${'110108201303050033'},7,1\n`;
    expect(await importFile(school.id, csv('周一'))).toMatchObject({ created: 1, updated: 0 });
    await t.ctx.db.updateTable('students').set({ password_hash: 'kept-hash', status: 'left' }).where('education_id', '=', '32000001').execute();

    expect(await importFile(school.id, csv('周一一'))).toMatchObject({ status: 'done', created: 0, updated: 1, rejected: 0 });
    const [student, ...others] = await studentsOf(school.id);
    expect(others).toEqual([]);
    expect(student).toMatchObject({ name: '周一一', password_hash: 'kept-hash', status: 'left' });
  });

  it('re-importing the fixture twice: the second run reports every good row as updated', async () => {
    const school = await schoolWithClasses('middle', [[7, '01'], [7, '02']]);
    await forgetFixtureStudents();
    expect(await importFile(school.id, fixture('roster-gbk.csv'))).toMatchObject({ created: 2, updated: 0, rejected: 1 });
    expect(await importFile(school.id, fixture('roster-gbk.csv'))).toMatchObject({ created: 0, updated: 2, rejected: 1 });
    expect(await studentsOf(school.id)).toHaveLength(2);
  });

  it('reports every row problem with its row, field and code, and still imports the good row', async () => {
    const school = await schoolWithClasses('middle', [[7, '01']]);
    const elsewhere = await t.factory.newStudent({ name: '别校学生' });
    const good = { educationId: '33000001', name: '好学生', gender: '女', birthDate: '2013-04-04', idNumber: idFor('2013-04-04', 'F'), grade: '7', class: '1' };
    const row = (change: Partial<typeof good>) => {
      const r = { ...good, educationId: String(33000100 + (idSequence += 1)), idNumber: idFor(good.birthDate, 'F'), ...change };
      return [r.educationId, r.name, r.gender, r.birthDate, r.idNumber, r.grade, r.class].join(',');
    };
    const wrongCheck = good.idNumber.slice(0, 17) + (good.idNumber[17] === '0' ? '1' : '0');
    const expected: [row: number, field: string, code: string][] = [
      [3, 'name', 'FIELD_REQUIRED'],
      [4, 'educationId', 'EDUCATION_ID_FORMAT'],
      [5, 'name', 'NAME_TOO_LONG'],
      [6, 'gender', 'GENDER_FORMAT'],
      [7, 'birthDate', 'BIRTH_DATE_FORMAT'],
      [8, 'idNumber', 'ID_NUMBER_FORMAT'],
      [9, 'idNumber', 'ID_NUMBER_BIRTH_DATE'],
      [10, 'idNumber', 'ID_NUMBER_CHECKSUM'],
      [11, 'birthDate', 'BIRTH_DATE_MISMATCH'],
      [12, 'gender', 'GENDER_MISMATCH'],
      [13, 'grade', 'GRADE_FORMAT'],
      [14, 'educationId', 'EDUCATION_ID_DUPLICATE'],
      [15, 'idNumber', 'ID_NUMBER_DUPLICATE'],
      [16, 'class', 'CLASS_UNKNOWN'],
      [17, 'educationId', 'STUDENT_IN_OTHER_SCHOOL'],
    ];
    const csv = [
      header,
      row(good),
      row({ name: '' }),
      row({ educationId: '3300001' }),
      row({ name: '长'.repeat(33) }),
      row({ gender: '未知' }),
      row({ birthDate: '2013-02-30' }),
      row({ idNumber: '1.10105E+17' }),
      row({ idNumber: makeIdNumber({ areaCode: '110105', birthDate: '2099-01-01', gender: 'F', sequence: 1 }) }),
      row({ idNumber: wrongCheck }),
      row({ birthDate: '2013-04-05' }),
      row({ idNumber: idFor(good.birthDate, 'M') }),
      row({ grade: '13' }),
      row({ educationId: good.educationId }),
      row({ idNumber: good.idNumber }),
      row({ class: '9' }),
      row({ educationId: elsewhere.education_id }),
    ].join('\n');

    const done = await importFile(school.id, csv);
    expect(done).toMatchObject({ status: 'done', totalRows: 16, processedRows: 16, created: 1, updated: 0, rejected: 15 });
    expect(done.report.map((p) => [p.row, p.field, p.code])).toEqual(expected);
    // Every code but those of student numbers, the salary flag, the college and the major, which the campus rosters below (and parse-roster.test.ts) report.
    const campusOnly = new Set(['STUDENT_NO_FORMAT', 'STUDENT_NO_DUPLICATE', 'STUDENT_NO_TAKEN', 'SALARIED_FORMAT', 'COLLEGE_TOO_LONG', 'MAJOR_TOO_LONG', 'STUDY_LEVEL_FORMAT', 'FULL_TIME_FORMAT', 'STUDY_LEVEL_UNKNOWN', 'FULL_TIME_UNKNOWN']);
    expect(new Set(done.report.map((p) => p.code))).toEqual(new Set(rowProblemCodes.filter((code) => !campusOnly.has(code))));
    expect(done.report.every((p) => p.message.length > 0 && p.messageEn.length > 0)).toBe(true);
    expect((await studentsOf(school.id)).map((s) => s.education_id)).toEqual([good.educationId]);
    const untouched = await t.ctx.db.selectFrom('students').select(['school_id', 'name']).where('id', '=', elsewhere.id).executeTakeFirstOrThrow();
    expect(untouched).toEqual({ school_id: elsewhere.school_id, name: '别校学生' });
  });

  it('records one audit row per import with its counts, not one per student', async () => {
    const school = await schoolWithClasses('middle', [[7, '01'], [7, '02']]);
    await forgetFixtureStudents();
    const done = await importFile(school.id, fixture('roster-gbk.csv'));
    const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'entity_type', 'actor_role', 'after']).where('entity_id', '=', done.id).execute();
    expect(audit).toEqual([
      { action: 'roster.imported', entity_type: 'roster_import', actor_role: 'operator', after: expect.objectContaining({ schoolId: school.id, totalRows: 3, created: 2, updated: 0, rejected: 1 }) },
    ]);
    const perStudent = await t.ctx.db.selectFrom('audit_log').select('id').where('entity_type', '=', 'student').where('at', '>=', new Date(done.createdAt)).execute();
    expect(perStudent).toEqual([]);
  });
});

describe('university and vocational rosters', () => {
  const campusHeader = '学号,教育ID,姓名,性别,出生日期,身份证号,年级,有工资收入,院系,专业';
  const campusStudents = (schoolId: string) =>
    t.ctx.db.selectFrom('students').select(['education_id', 'student_no', 'class_id', 'stage', 'salaried', 'college', 'major', 'name']).where('school_id', '=', schoolId).orderBy('education_id').execute();

  it('imports students by student number, without classes; they sign in on the campus login with the last six of the ID number', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const idNumber = idFor('2005-06-21', 'M');
    const csv = [
      campusHeader,
      // 年级 on a university export is the year of entry: read past, not a K-12 grade.
      `2023110501,34000001,周晓东,男,2005-06-21,${idNumber},2023级,否,音乐学院,音乐学`,
      `2023110502,34000002,吴佳琪,女,2004-10-09,${idFor('2004-10-09', 'F')},2023级,是,计算机学院,软件工程`,
      `2.02311E+09,34000003,郑一,男,2005-01-01,${idFor('2005-01-01', 'M')},2023级,否,计算机学院,软件工程`,
    ].join('\n');
    const done = await importFile(school.id, csv);
    expect(done).toMatchObject({ status: 'done', created: 2, rejected: 1 });
    expect(done.report.map((p) => [p.row, p.field, p.code])).toEqual([[4, 'studentNo', 'STUDENT_NO_FORMAT']]);
    expect(await campusStudents(school.id)).toEqual([
      { education_id: '34000001', student_no: '2023110501', class_id: null, stage: 'university', salaried: false, college: '音乐学院', major: '音乐学', name: '周晓东' },
      { education_id: '34000002', student_no: '2023110502', class_id: null, stage: 'university', salaried: true, college: '计算机学院', major: '软件工程', name: '吴佳琪' },
    ]);
    const login = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'campus', login: '2023110501', password: initialCampusPassword(idNumber) } });
    expect(login.statusCode, login.body).toBe(201);
    expect(login.json()).toMatchObject({ mustChangePassword: true });
  });

  it("refuses a row that would take another student's number, keeps a stored salary flag, college and major when the file has no such column", async () => {
    const school = await t.factory.newSchool({ stage: 'vocational' });
    const jia = idFor('2005-06-21', 'M');
    const bing = idFor('2005-03-03', 'F');
    const first = `${campusHeader}\n2024000001,35000001,甲,男,2005-06-21,${jia},2024级,是,高等职业教育与继续教育学院,音乐表演\n`;
    expect(await importFile(school.id, first)).toMatchObject({ created: 1, rejected: 0 });

    const second = [
      '教育ID,姓名,性别,出生日期,身份证号,学号',
      `35000001,甲改名,男,2005-06-21,${jia},2024000001`,
      `35000002,乙,女,2005-02-02,${idFor('2005-02-02', 'F')},2024000001`,
      `35000003,丙,女,2005-03-03,${bing},2024000003`,
    ].join('\n');
    const done = await importFile(school.id, second);
    // The file itself holds 2024000001 twice (row 3 is refused while parsing); row 4 goes in.
    expect(done).toMatchObject({ created: 1, updated: 1, rejected: 1 });
    expect(done.report.map((p) => [p.row, p.field, p.code])).toEqual([[3, 'studentNo', 'STUDENT_NO_DUPLICATE']]);

    // A class the console gave a student stays: a campus roster names none.
    const classId = newId();
    await t.ctx.db.insertInto('classes').values({ id: classId, school_id: school.id, grade: 1, class_no: '01' }).execute();
    await t.ctx.db.updateTable('students').set({ class_id: classId }).where('education_id', '=', '35000003').execute();

    // 35000002 again, now with a number 35000001 holds in the database: refused as taken, nothing written.
    const third = `教育ID,姓名,性别,出生日期,身份证号,学号\n35000002,乙,女,2005-02-02,${idFor('2005-02-02', 'F')},2024000001\n35000003,丙,女,2005-03-03,${bing},2024000003\n`;
    const refused = await importFile(school.id, third);
    expect(refused).toMatchObject({ status: 'done', created: 0, updated: 1, rejected: 1 });
    expect(refused.report).toEqual([{ row: 2, field: 'studentNo', code: 'STUDENT_NO_TAKEN', message: '本校已有其他学生使用该学号', messageEn: 'Another student of this school has this student number' }]);
    expect(await campusStudents(school.id)).toEqual([
      { education_id: '35000001', student_no: '2024000001', class_id: null, stage: 'vocational', salaried: true, college: '高等职业教育与继续教育学院', major: '音乐表演', name: '甲改名' },
      { education_id: '35000003', student_no: '2024000003', class_id: classId, stage: 'vocational', salaried: false, college: null, major: null, name: '丙' },
    ]);
  });

  it('a file with the 专业 column (any of its names) sets and changes majors, a bad cell is reported by row, and the students can then book what their major is kept for', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const yi = idFor('2006-02-17', 'F');
    const ding = idFor('2005-11-08', 'M');
    const header = (major: string) => `教育ID,姓名,性别,出生日期,身份证号,学号,院系,${major}`;
    const rows = (yiMajor: string, dingMajor: string) => [
      `36000001,郑雅文,女,2006-02-17,${yi},2024130215,高等职业教育与继续教育学院,${yiMajor}`,
      `36000002,冯浩宇,男,2005-11-08,${ding},2024130302,高等职业教育与继续教育学院,${dingMajor}`,
    ];
    expect(await importFile(school.id, [header('所学专业'), ...rows('会计', '会计')].join('\n'))).toMatchObject({ created: 2, rejected: 0 });
    // She changed to 音乐表演: the next file says so; his cell is too long and refused, so his stored major stays.
    const second = await importFile(school.id, [header('Major'), ...rows('音乐表演', '会'.repeat(33))].join('\n'));
    expect(second).toMatchObject({ updated: 1, rejected: 1 });
    expect(second.report).toEqual([{ row: 3, field: 'major', code: 'MAJOR_TOO_LONG', message: '专业最多 32 个字符', messageEn: 'A major may have at most 32 characters' }]);
    const blank = await importFile(school.id, [header('专业名称'), ...rows('音乐表演', '')].join('\n'));
    expect(blank.report).toEqual([expect.objectContaining({ row: 3, field: 'major', code: 'FIELD_REQUIRED', message: '专业不能为空' })]);
    expect((await campusStudents(school.id)).map((s) => [s.education_id, s.college, s.major])).toEqual([
      ['36000001', '高等职业教育与继续教育学院', '音乐表演'],
      ['36000002', '高等职业教育与继续教育学院', '会计'],
    ]);

    // What the roster says is what 琴房预订 goes by.
    const operator = await t.factory.operatorToken();
    const room = await t.app.inject({ method: 'POST', url: '/api/v1/admin/campus/venues', headers: { authorization: `Bearer ${operator}` }, payload: { schoolId: school.id, name: '琴房 1', colleges: ['音乐学院'], majors: ['音乐表演'] } });
    expect(room.statusCode, room.body).toBe(201);
    const offered = async (studentNo: string, idNumber: string) => {
      const [student] = await t.ctx.db.selectFrom('students').select('id').where('student_no', '=', studentNo).execute();
      await t.factory.newCard(student!.id, { product: 'campus_card' });
      const login = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'campus', login: studentNo, password: initialCampusPassword(idNumber) } });
      const venues = await t.app.inject({ url: '/api/v1/campus/venues', headers: { authorization: `Bearer ${login.json().token}` } });
      return (venues.json().items as { name: string }[]).map((v) => v.name);
    };
    expect(await offered('2024130215', yi)).toEqual(['琴房 1']);
    expect(await offered('2024130302', ding)).toEqual([]);
  });

  it('a file with 培养层次 and 学习形式 sets them (课表查询 and 成绩查询 open to full-time undergraduates), an unreadable cell is a warning stored as not known, a file without them keeps them', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const ids = [idFor('2005-01-11', 'M'), idFor('2005-01-12', 'M'), idFor('2005-01-13', 'M')];
    const header = '教育ID,姓名,性别,出生日期,身份证号,学号,学历层次,学习形式';
    const rows = (levels: string[], modes: string[]) => ids.map((id, i) => `3750000${i + 1},学生${i + 1},男,2005-01-1${i + 1},${id},20259000${i + 1},${levels[i]},${modes[i]}`);
    const first = await importFile(school.id, [header, ...rows(['本科', '硕士', '本科'], ['全日制', '全日制', '非全日制'])].join('\n'));
    expect(first).toMatchObject({ created: 3, rejected: 0 });
    const levels = async () => (await t.ctx.db.selectFrom('students').select(['education_id', 'study_level', 'full_time']).where('school_id', '=', school.id).orderBy('education_id').execute()).map((s) => [s.education_id, s.study_level, s.full_time]);
    expect(await levels()).toEqual([['37500001', 'undergraduate', true], ['37500002', 'postgraduate', true], ['37500003', 'undergraduate', false]]);
    // Unreadable or blank: the row is imported, the value stored as not known, and the import says so.
    const warned = await importFile(school.id, [header, ...rows(['本科', '博士后', '本科'], ['全日制', '全日制', ''])].join('\n'));
    expect(warned).toMatchObject({ status: 'done', updated: 3, rejected: 0, warned: 2, report: [] });
    expect(warned.warnings.map((p) => [p.row, p.field, p.code])).toEqual([[3, 'studyLevel', 'STUDY_LEVEL_UNKNOWN'], [4, 'fullTime', 'FULL_TIME_UNKNOWN']]);
    expect(warned.warnings[0]!.message).toContain('已按“未知”导入');
    expect(await levels()).toEqual([['37500001', 'undergraduate', true], ['37500002', null, true], ['37500003', 'undergraduate', null]]);
    const audit = await t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', warned.id).executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ rejected: 0, warned: 2 });
    // Every cell of the column unreadable still stores not known (the file has the column).
    await importFile(school.id, [header, ...rows(['本科', '硕士', '本科'], ['全日制', '全日制', '非全日制'])].join('\n'));
    expect(await importFile(school.id, [header, ...rows(['?', '?', '?'], ['全日制', '全日制', '非全日制'])].join('\n'))).toMatchObject({ rejected: 0, warned: 3 });
    expect((await levels()).map(([, level]) => level)).toEqual([null, null, null]);
    await importFile(school.id, [header, ...rows(['本科', '硕士', '本科'], ['全日制', '全日制', '非全日制'])].join('\n'));
    // A file without the columns leaves them.
    expect(await importFile(school.id, ['教育ID,姓名,性别,出生日期,身份证号,学号', ...ids.map((id, i) => `3750000${i + 1},学生${i + 1},男,2005-01-1${i + 1},${id},20259000${i + 1}`)].join('\n'))).toMatchObject({ updated: 3, rejected: 0, warned: 0, warnings: [] });
    expect(await levels()).toEqual([['37500001', 'undergraduate', true], ['37500002', 'postgraduate', true], ['37500003', 'undergraduate', false]]);
    // What the roster says is what the app goes by.
    const me = async (i: number) => {
      const login = await t.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { as: 'campus', login: `20259000${i + 1}`, password: initialCampusPassword(ids[i]!) } });
      return (login.json() as { user: { academicRecords: boolean } }).user.academicRecords;
    };
    expect([await me(0), await me(1), await me(2)]).toEqual([true, false, false]);
  });

  it('imports the files that imported before 0053: 层次 / Level / 全日制 columns are not read as study level or mode; 培养层次 and 学历层次 together: the first wins', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const ids = [idFor('2005-02-11', 'M'), idFor('2005-02-12', 'M')];
    const line = (i: number, ...extra: string[]) => [`3760000${i + 1},学生${i + 1},男,2005-02-1${i + 1},${ids[i]},20268000${i + 1}`, ...extra].join(',');
    const levels = async () => (await t.ctx.db.selectFrom('students').select(['study_level', 'full_time']).where('school_id', '=', school.id).orderBy('education_id').execute()).map((s) => [s.study_level, s.full_time]);
    // A 学籍 export's 层次 (本科生 / 专升本) and 全日制 (a yes/no of its own): not our columns, so nothing is refused nor set.
    const legacy = await importFile(school.id, ['教育ID,姓名,性别,出生日期,身份证号,学号,层次,全日制,培养类别', line(0, '本科生', '是', '统招'), line(1, '专升本', '否', '定向')].join('\n'));
    expect(legacy).toMatchObject({ status: 'done', created: 2, rejected: 0, warned: 0 });
    expect(await levels()).toEqual([[null, null], [null, null]]);
    // An English export whose Level is the year of entry.
    expect(await importFile(school.id, ['Education ID,Name,Gender,Birth Date,ID Number,Student No,Level', line(0, '2025'), line(1, '2024')].join('\n'))).toMatchObject({ status: 'done', updated: 2, rejected: 0 });
    // Both 培养层次 and 学历层次: the first column wins; the spellings 学籍 exports use are read.
    const both = await importFile(school.id, ['教育ID,姓名,性别,出生日期,身份证号,学号,培养层次,学历层次,学习形式', line(0, '本科（四年制）', '专科', '普通全日制'), line(1, '专科生', '本科', '函授')].join('\n'));
    expect(both).toMatchObject({ status: 'done', updated: 2, rejected: 0, warned: 0 });
    expect(await levels()).toEqual([['undergraduate', true], ['associate', false]]);
  });

  it('lets student numbers change hands within a file (a swap, a chain), and refuses a number still held by a student who keeps it', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const header = '教育ID,姓名,性别,出生日期,身份证号,学号';
    const person = Object.fromEntries(['A', 'B', 'C', 'D', 'E', 'G', 'H', 'I'].map((name, i) => {
      const birth = `2005-01-${String(i + 10)}`;
      return [name, `3700000${i},${name},男,${birth},${idFor(birth, 'M')}`];
    }));
    const first = [header, `${person.A},2025000001`, `${person.B},2025000002`, `${person.C},2025000003`, `${person.D},2025000004`, `${person.G},2025000006`, `${person.H},2025000007`, `${person.I},2025000008`].join('\n');
    expect(await importFile(school.id, first)).toMatchObject({ created: 7, rejected: 0 });

    const second = [
      header,
      `${person.A},2025000002`, `${person.B},2025000001`, // A and B swap
      `${person.C},2025000005`, `${person.D},2025000003`, `${person.E},2025000004`, // C a new number, D takes C's, new E takes D's
      `${person.H},2025000006`, // G keeps 2025000006 (not in the file) ...
      `${person.I},2025000007`, // ... so H keeps 2025000007, which I asks for
    ].join('\n');
    const done = await importFile(school.id, second);
    expect(done).toMatchObject({ status: 'done', created: 1, updated: 4, rejected: 2 });
    expect(done.report.map((p) => [p.row, p.field, p.code])).toEqual([[7, 'studentNo', 'STUDENT_NO_TAKEN'], [8, 'studentNo', 'STUDENT_NO_TAKEN']]);
    const audit = await t.ctx.db.selectFrom('audit_log').select('after').where('entity_id', '=', done.id).executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ renumbered: 4 }); // A, B, C and D
    const numbers = await t.ctx.db.selectFrom('students').select(['name', 'student_no']).where('school_id', '=', school.id).orderBy('name').execute();
    expect(numbers).toEqual([
      { name: 'A', student_no: '2025000002' }, { name: 'B', student_no: '2025000001' }, { name: 'C', student_no: '2025000005' },
      { name: 'D', student_no: '2025000003' }, { name: 'E', student_no: '2025000004' }, { name: 'G', student_no: '2025000006' }, { name: 'H', student_no: '2025000007' },
      { name: 'I', student_no: '2025000008' },
    ]);
  });

  it('a K-12 roster sent to a university is refused whole, naming the missing 学号 column', async () => {
    const school = await t.factory.newSchool({ stage: 'university' });
    const res = await upload(school.id, `${header}\n36000001,王,男,2013-03-05,${idFor('2013-03-05', 'M')},7,1\n`, operator);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'ROSTER_COLUMNS_MISSING', details: { missing: ['studentNo'] } } });
  });
});

describe('who may import', () => {
  it("a card manager imports into their own school and sees its imports, but gets 403 on another school's", async () => {
    const own = await schoolWithClasses('middle', [[8, '03']]);
    const other = await schoolWithClasses('middle', [[8, '03']]);
    const manager = await t.factory.newStaff('school_admin', { schoolId: own.id });
    const token = await t.factory.loginAs('staff', manager.username, manager.password);
    await forgetFixtureStudents();

    const mine = await importFile(own.id, fixture('roster-utf8-bom.csv'), token);
    expect(mine).toMatchObject({ status: 'done', created: 2 });

    const refused = await upload(other.id, fixture('roster-utf8-bom.csv'), token);
    expect(refused.statusCode).toBe(403);
    expect(codeOf(refused)).toBe('ACCESS_DENIED');
    const theirs = await importFile(other.id, `${header}\n34000001,钱三,男,2012-01-01,${idFor('2012-01-01', 'M')},8,3\n`);
    // Named by its id only, the import is refused without saying back whose school it is.
    const notTheirs = await getImport(theirs.id, token);
    expect(codeOf(notTheirs)).toBe('ACCESS_DENIED');
    expect(notTheirs.body).not.toContain(other.id);
    const list = await t.app.inject({ url: `/api/v1/admin/schools/${other.id}/roster-imports`, headers: auth(token) });
    expect(list.statusCode).toBe(403);
    expect(await t.ctx.db.selectFrom('roster_imports').select('id').where('school_id', '=', other.id).execute()).toHaveLength(1);
  });

  it('needs a signed-in operator or card manager', async () => {
    const school = await t.factory.newSchool();
    expect(codeOf(await t.app.inject({ method: 'POST', url: `/api/v1/admin/schools/${school.id}/roster-imports`, payload: 'x', headers: { 'content-type': 'text/csv' } }))).toBe('AUTH_REQUIRED');
    const student = await t.factory.newStudent({ schoolId: school.id });
    const studentToken = await t.factory.loginAs('student', student.education_id, student.password);
    expect(codeOf(await upload(school.id, fixture('roster-gbk.csv'), studentToken))).toBe('FORBIDDEN');
  });
});

describe('files refused as a whole', () => {
  const refusals: [what: string, code: string, body: Buffer | string][] = [
    ['an empty body', 'ROSTER_FILE_EMPTY', ''],
    ['a header without rows', 'ROSTER_FILE_EMPTY', `${header}\n\n,,,,,,\n`],
    ['an Excel workbook', 'ROSTER_NOT_CSV', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])],
    ['a UTF-8 BOM followed by bytes that are not UTF-8', 'ROSTER_ENCODING_UNKNOWN', Buffer.from([0xef, 0xbb, 0xbf, 0xd0, 0xd5, 0xc3, 0xfb])],
    ['an unclosed quote', 'ROSTER_CSV_MALFORMED', `${header}\n"31000001,张三\n`],
    ['missing columns', 'ROSTER_COLUMNS_MISSING', '教育ID,姓名\n31000001,张三\n'],
    ['a field in two columns', 'ROSTER_COLUMN_DUPLICATE', `${header},name\n`],
  ];

  it.each(refusals)('%s → 400 %s, and nothing is recorded', async (_what, code, body) => {
    const school = await t.factory.newSchool();
    const res = await upload(school.id, body, operator);
    expect(res.statusCode, res.body).toBe(400);
    expect(codeOf(res)).toBe(code);
    expect(await t.ctx.db.selectFrom('roster_imports').select('id').where('school_id', '=', school.id).execute()).toEqual([]);
  });

  it('names the missing columns', async () => {
    const school = await t.factory.newSchool();
    const res = await upload(school.id, 'educationId,name,gender\n', operator);
    expect(res.json()).toMatchObject({ error: { code: 'ROSTER_COLUMNS_MISSING', details: { missing: ['birthDate', 'idNumber', 'grade', 'class'] } } });
  });

  it('an unknown school is a 404, another content type a 415, a file over 30 MB a 413', async () => {
    expect(codeOf(await upload(newId(), fixture('roster-gbk.csv'), operator))).toBe('ROSTER_SCHOOL_UNKNOWN');
    const school = await t.factory.newSchool();
    const png = await upload(school.id, fixture('roster-gbk.csv'), operator, { headers: { 'content-type': 'image/png' } });
    expect([png.statusCode, codeOf(png)]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const huge = await upload(school.id, Buffer.alloc(30 * 1024 * 1024 + 1, 0x41), operator, { headers: { 'content-type': 'application/octet-stream' } });
    expect([huge.statusCode, codeOf(huge)]).toEqual([413, 'BODY_TOO_LARGE']);
  });
});

describe('import records', () => {
  it('keeps the file name from the query or a URL-encoded header, and lists imports newest first', async () => {
    await forgetFixtureStudents();
    const school = await schoolWithClasses('middle', [[8, '03']]);
    const byHeader = await upload(school.id, fixture('roster-utf8-bom.csv'), operator, { headers: { 'x-file-name': encodeURIComponent('八年级名单.csv') } });
    await waitForImport((byHeader.json() as { id: string }).id);
    t.clock.advance(1_000);
    const byQuery = await upload(school.id, fixture('roster-utf8-bom.csv'), operator, { query: `?fileName=${encodeURIComponent('第二次.csv')}` });
    await waitForImport((byQuery.json() as { id: string }).id);

    const list = await t.app.inject({ url: `/api/v1/admin/schools/${school.id}/roster-imports?pageSize=1`, headers: auth(operator) });
    expect(list.json()).toMatchObject({ total: 2, page: 1, pageSize: 1, items: [{ fileName: '第二次.csv', status: 'done', updated: 2 }] });
    const second = await t.app.inject({ url: `/api/v1/admin/schools/${school.id}/roster-imports?page=2&pageSize=1`, headers: auth(operator) });
    expect(second.json()).toMatchObject({ items: [{ fileName: '八年级名单.csv' }] });
  });

  it('an Idempotency-Key replay answers with the first import and starts no second one', async () => {
    await forgetFixtureStudents();
    const school = await schoolWithClasses('middle', [[8, '03']]);
    const headers = { 'idempotency-key': `roster-${newId()}` };
    const first = await upload(school.id, fixture('roster-utf8-bom.csv'), operator, { headers });
    const replay = await upload(school.id, fixture('roster-utf8-bom.csv'), operator, { headers });
    expect(replay.statusCode).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(first.json());
    const otherFile = await upload(school.id, fixture('roster-gbk.csv'), operator, { headers });
    expect(codeOf(otherFile)).toBe('IDEMPOTENCY_KEY_REUSED');
    await waitForImport((first.json() as { id: string }).id);
    expect(await t.ctx.db.selectFrom('roster_imports').select('id').where('school_id', '=', school.id).execute()).toHaveLength(1);
  });

  it('shows an import its process abandoned as failed (interrupted) once it has been running too long', async () => {
    const school = await t.factory.newSchool();
    const id = newId();
    await t.ctx.db.insertInto('roster_imports').values({ id, school_id: school.id, file_name: 'a.csv', status: 'running', total_rows: 10, created_at: t.clock.now() }).execute();
    expect((await importNow(id)).status).toBe('running');
    t.clock.advance(INTERRUPTED_AFTER_MS + 1);
    expect(await importNow(id)).toMatchObject({ status: 'failed', error: { code: 'ROSTER_IMPORT_INTERRUPTED' } });
  });

  it('an unknown import is a 404', async () => {
    expect(codeOf(await getImport(newId(), operator))).toBe('NOT_FOUND');
  });
});

/** The import as the console sees it right now. */
async function importNow(id: string): Promise<RosterImport> {
  return (await getImport(id, operator)).json() as RosterImport;
}

describe('OpenAPI', () => {
  it('documents the three roster endpoints, the CSV body and the row problem codes', async () => {
    type Spec = { paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> }; responses: Record<string, unknown> }>> };
    const spec = (await t.app.inject('/openapi.json')).json() as Spec;
    const schoolImports = spec.paths['/api/v1/admin/schools/{schoolId}/roster-imports'];
    expect(Object.keys(schoolImports?.post?.requestBody?.content ?? {})).toEqual(['text/csv', 'application/octet-stream']);
    expect(schoolImports?.get).toBeDefined();
    const status = JSON.stringify(spec.paths['/api/v1/admin/roster-imports/{importId}']?.get?.responses['200']);
    for (const code of rowProblemCodes) expect(status).toContain(code);
  });
});
