import { addDays, shanghaiDate } from '../domain/calendar.js';
import type { StudyLevel } from '../domain/academic-access.js';
import { makeIdNumber } from '../domain/id-number.js';
import { initialCampusPassword } from '../domain/passwords.js';
import { editDay, openYearFromWeekdays } from '../modules/calendar/calendar.js';
import { calendarRepository } from '../modules/calendar/calendar.repository.js';
import { cardServicesRepository } from '../modules/card-services/card-services.repository.js';
import { k12ValidUntilOnIssue } from '../modules/card-services/issue-validity.js';
import { changeCardStatus } from '../modules/cards/card-status.js';
import { issueCard } from '../modules/cards/issue-card.js';
import { graduationDate, stageHasSticker } from '../modules/fulfilment/card-face.js';
import { recordAudit, systemActor } from '../platform/audit.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/database.js';
import type { SchoolStage, StaffRole } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { hashPassword } from '../platform/passwords.js';
import { seedAcademicRecords } from './academic-records.js';

/**
 * Demo data: a believable Beijing setting. Names, education IDs and ID numbers are synthetic
 * (the ID numbers carry valid check digits and birth dates, as real ones do).
 */
interface DemoSchool {
  code: string;
  name: string;
  stage: SchoolStage;
  district: string;
  areaCode: string;
  grades: number[];
  /** 服务点: where a university's self-service kiosk is. */
  servicePoint?: string;
}

const schools: DemoSchool[] = [
  { code: 'BJ-CY-P01', name: '北京市朝阳区实验小学', stage: 'primary', district: '朝阳区', areaCode: '110105', grades: [4, 5, 6] },
  { code: 'BJ-HD-M01', name: '北京市海淀区第一中学', stage: 'middle', district: '海淀区', areaCode: '110108', grades: [7, 8, 9] },
  { code: 'BJ-XC-H01', name: '北京市西城区育才中学', stage: 'high', district: '西城区', areaCode: '110102', grades: [10, 11, 12] },
  { code: 'BJ-U-1001', name: '北京交通科技大学', stage: 'university', district: '海淀区', areaCode: '110108', grades: [], servicePoint: '公共实验楼大厅' },
];

interface DemoStudent {
  educationId: string;
  name: string;
  gender: 'M' | 'F';
  birthDate: string;
  school: string;
  grade: number | null;
  classNo: string | null;
  studentNo?: string;
  /** 院系, at the university. */
  college?: string;
  /** 专业, at the university. */
  major?: string;
  /** 培养层次 and 学习形式 (全日制), at the university: 课表查询 and 成绩查询 are for full-time undergraduates. */
  studyLevel?: StudyLevel;
  fullTime?: boolean;
}

export const demoStudents: DemoStudent[] = [
  { educationId: '20230101', name: '张小明', gender: 'M', birthDate: '2015-03-12', school: 'BJ-CY-P01', grade: 5, classNo: '03' },
  { educationId: '20230102', name: '李思雨', gender: 'F', birthDate: '2016-07-08', school: 'BJ-CY-P01', grade: 4, classNo: '01' },
  { educationId: '20230103', name: '王浩然', gender: 'M', birthDate: '2014-11-30', school: 'BJ-CY-P01', grade: 6, classNo: '02' },
  { educationId: '20210201', name: '张小红', gender: 'F', birthDate: '2012-05-20', school: 'BJ-HD-M01', grade: 8, classNo: '03' },
  { educationId: '20210202', name: '刘子涵', gender: 'M', birthDate: '2011-09-01', school: 'BJ-HD-M01', grade: 9, classNo: '01' },
  { educationId: '20210203', name: '陈雨桐', gender: 'F', birthDate: '2013-02-14', school: 'BJ-HD-M01', grade: 7, classNo: '02' },
  { educationId: '20180301', name: '赵一鸣', gender: 'M', birthDate: '2009-04-18', school: 'BJ-XC-H01', grade: 11, classNo: '05' },
  { educationId: '20180302', name: '孙悦', gender: 'F', birthDate: '2008-12-03', school: 'BJ-XC-H01', grade: 12, classNo: '02' },
  { educationId: '20150401', name: '周晓东', gender: 'M', birthDate: '2005-06-21', school: 'BJ-U-1001', grade: null, classNo: null, studentNo: '2023110501', college: '音乐学院', major: '音乐学', studyLevel: 'undergraduate', fullTime: true },
  { educationId: '20150402', name: '吴佳琪', gender: 'F', birthDate: '2004-10-09', school: 'BJ-U-1001', grade: null, classNo: null, studentNo: '2022120388', college: '计算机学院', major: '软件工程', studyLevel: 'undergraduate', fullTime: true },
  // 高等职业教育与继续教育学院: a music major, who may book the practice rooms (seed 004), and an accounting one, who may not.
  { educationId: '20150403', name: '郑雅文', gender: 'F', birthDate: '2006-02-17', school: 'BJ-U-1001', grade: null, classNo: null, studentNo: '2024130215', college: '高等职业教育与继续教育学院', major: '音乐表演', studyLevel: 'associate', fullTime: true },
  { educationId: '20150404', name: '冯浩宇', gender: 'M', birthDate: '2005-11-08', school: 'BJ-U-1001', grade: null, classNo: null, studentNo: '2024130302', college: '高等职业教育与继续教育学院', major: '会计', studyLevel: 'associate', fullTime: true },
];

export const demoParent = { phone: '13800138000', name: '张建国', children: ['20230101', '20210201'] };

interface DemoStaff {
  username: string;
  displayName: string;
  role: StaffRole;
  school: string | null;
  password: string;
}

export const demoStaff: DemoStaff[] = [
  { username: 'operator', displayName: '卡务中心 操作员', role: 'operator', school: null, password: 'Onecard-2026' },
  { username: 'kgy-hd01', displayName: '海淀一中 卡管员', role: 'school_admin', school: 'BJ-HD-M01', password: 'Onecard-2026' },
  { username: 'kiosk-u1001', displayName: '交科大 自助终端', role: 'kiosk', school: 'BJ-U-1001', password: 'Onecard-2026' },
];

const seededKey = 'demo_seeded_at';

/** Loads the demo data once; a second call finds the marker and does nothing. Returns whether it loaded. */
export async function seedDemo(db: Db, clock: Clock): Promise<boolean> {
  const marker = await db.selectFrom('app_meta').select('value').where('key', '=', seededKey).executeTakeFirst();
  if (marker) return false;

  // argon2 is slow on purpose: hash before the transaction, so it stays short.
  const studentHashes = await Promise.all(demoStudents.map((s) => hashPassword(s.birthDate.replaceAll('-', ''))));
  const parentHash = await hashPassword('123456');
  const staffHashes = await Promise.all(demoStaff.map((s) => hashPassword(s.password)));

  return db.transaction().execute(async (tx) => {
    // Another process may have seeded while we hashed.
    const inserted = await tx.insertInto('app_meta').values({ key: seededKey, value: clock.now().toISOString() }).onConflict((oc) => oc.column('key').doNothing()).returning('key').executeTakeFirst();
    if (!inserted) return false;

    const schoolIds = new Map<string, string>();
    const classIds = new Map<string, string>();
    for (const school of schools) {
      const id = newId();
      schoolIds.set(school.code, id);
      await tx.insertInto('schools').values({ id, code: school.code, name: school.name, stage: school.stage, district: school.district, service_point: school.servicePoint ?? null }).execute();
      for (const grade of school.grades) {
        for (const classNo of ['01', '02', '03', '05']) {
          const classId = newId();
          classIds.set(`${school.code}/${grade}/${classNo}`, classId);
          await tx.insertInto('classes').values({ id: classId, school_id: id, grade, class_no: classNo }).execute();
        }
      }
    }

    const studentIds = new Map<string, string>();
    for (const [i, s] of demoStudents.entries()) {
      const school = schools.find((x) => x.code === s.school)!;
      const id = newId();
      studentIds.set(s.educationId, id);
      await tx
        .insertInto('students')
        .values({
          id,
          education_id: s.educationId,
          name: s.name,
          gender: s.gender,
          birth_date: s.birthDate,
          id_number: demoIdNumber(i),
          school_id: schoolIds.get(s.school)!,
          class_id: s.grade ? (classIds.get(`${s.school}/${s.grade}/${s.classNo}`) ?? null) : null,
          stage: school.stage,
          student_no: s.studentNo ?? null,
          college: s.college ?? null,
          major: s.major ?? null,
          study_level: s.studyLevel ?? null,
          full_time: s.fullTime ?? null,
          password_hash: studentHashes[i]!,
          must_change_password: true,
          updated_at: clock.now(),
        })
        .execute();
    }

    const parentId = newId();
    await tx.insertInto('parents').values({ id: parentId, phone: demoParent.phone, display_name: demoParent.name, password_hash: parentHash, must_change_password: true }).execute();
    for (const educationId of demoParent.children) {
      await tx.insertInto('parent_students').values({ parent_id: parentId, student_id: studentIds.get(educationId)!, relation: '父亲', bound_at: clock.now() }).execute();
    }

    for (const [i, s] of demoStaff.entries()) {
      await tx
        .insertInto('staff_users')
        .values({ id: newId(), username: s.username, display_name: s.displayName, role: s.role, school_id: s.school ? schoolIds.get(s.school)! : null, password_hash: staffHashes[i]! })
        .execute();
    }
    const windowOpens = await openExtensionWindowForDemo(tx, clock);
    await seedCards(tx, clock, studentIds, windowOpens);
    await seedCampusRooms(tx, clock, schoolIds);
    await seedNotices(tx, clock, schoolIds);
    await seedBills(tx, clock, schoolIds, studentIds);
    // The university has joined the university e-card (合作院校), so seeds 002/003 can be walked: 周晓东 → 添加高校电子学生卡.
    await tx.insertInto('ecard_partner_schools').values({ school_id: schoolIds.get('BJ-U-1001')!, partnered_since: clock.now(), added_by: null }).execute();
    await seedAcademicRecords(tx, clock, schoolIds.get('BJ-U-1001')!, { musicStudentId: studentIds.get('20150401')!, softwareStudentId: studentIds.get('20150402')! });
    await recordAudit(tx, clock, { actor: systemActor, action: 'demo.seeded', entityType: 'system', entityId: null, after: { schools: schools.length, students: demoStudents.length } });
    return true;
  });
}

/**
 * Every K-12 student holds a Beijing-tong card in daily use, except one new card waiting for
 * activation (李思雨) and one reported lost, ready for the replacement flow (王浩然); university
 * students hold campus cards. A card in daily use was issued before this year's extension window,
 * so it is valid until that window's end (or graduation) and due for its extension in it. Middle and
 * high school students also hold the sticker (卡贴) issued with their card, in use and valid until
 * graduation as printed, so that 补换卡贴 and its progress can be tried (张小红, 8th grade).
 */
async function seedCards(tx: Db, clock: Clock, studentIds: Map<string, string>, windowOpens: string): Promise<void> {
  const lost: string[] = [];
  const issuedBeforeWindow = addDays(windowOpens, -1);
  for (const s of demoStudents) {
    const university = schools.find((x) => x.code === s.school)?.stage === 'university';
    const studentId = studentIds.get(s.educationId)!;
    const card = await issueCard(tx, clock, {
      product: university ? 'campus_card' : 'k12_card',
      studentId,
      active: s.educationId !== '20230102',
      validUntil: university ? null : await k12ValidUntilOnIssue(tx, studentId, issuedBeforeWindow),
      reason: 'demo',
      actor: systemActor,
      requestId: null,
    });
    if (s.educationId === '20230103') lost.push(card.id);
    const stage = schools.find((x) => x.code === s.school)!.stage;
    if (stageHasSticker(stage)) {
      const validUntil = graduationDate(stage, s.grade, issuedBeforeWindow);
      await issueCard(tx, clock, { product: 'k12_sticker', studentId, active: true, validUntil, reason: 'demo', actor: systemActor, requestId: null });
    }
  }
  for (const cardId of lost) await changeCardStatus(tx, clock, { cardId, event: 'report_loss', reason: 'demo', actor: systemActor, requestId: null });
}

/**
 * K-12 cards are extended in a window the card centre opens each year (around October); the demo
 * opens this year's from 1 October (or today, if earlier) to 31 December, so that the extension
 * flow can be tried on the day the demo starts. Returns the day it opens.
 */
async function openExtensionWindowForDemo(tx: Db, clock: Clock): Promise<string> {
  const today = shanghaiDate(clock.now());
  const year = Number(today.slice(0, 4));
  const october = `${year}-10-01`;
  const startsOn = today < october ? today : october;
  await cardServicesRepository.upsertWindow(tx, { year, starts_on: startsOn, ends_on: `${year}-12-31`, updated_by: null, updated_at: clock.now() });
  return startsOn;
}

/**
 * 琴房预订 is for music students (seed 004: 音乐学院、高等职业教育与继续教育学院的音乐类专业同学): the
 * whole music college, and the music majors of the vocational college (not its other students).
 */
const pianoRoomsFor = { colleges: ['音乐学院'], majors: ['音乐表演', '音乐教育'] };

/**
 * The university's dorm rooms with their meters (宿舍电费: 学1楼 101–106), practice rooms for
 * 音乐学院 and the music majors (琴房预订: 琴房 1–4, seed 004), sports venues (预订场馆: 羽毛球场 1–3, 乒乓球台 1–2)
 * and eight library books (借阅图书: barcodes <school code>-B0001…B0008).
 */
async function seedCampusRooms(tx: Db, clock: Clock, schoolIds: Map<string, string>): Promise<void> {
  for (const school of schools.filter((s) => s.stage === 'university')) {
    const schoolId = schoolIds.get(school.code)!;
    const rooms = [101, 102, 103, 104, 105, 106].map((n) => ({ id: newId(), school_id: schoolId, building: '学1楼', room_no: String(n), meter_no: `${school.code}-M${n}`, created_at: clock.now() }));
    await tx.insertInto('campus_rooms').values(rooms).execute();
    const venue = (kind: 'piano_room' | 'sports_court', name: string, keptFor = { colleges: [] as string[], majors: [] as string[] }) => ({ id: newId(), school_id: schoolId, kind, name, ...keptFor, created_at: clock.now() });
    const venues = [
      ...[1, 2, 3, 4].map((n) => venue('piano_room', `琴房 ${n}`, pianoRoomsFor)),
      ...[1, 2, 3].map((n) => venue('sports_court', `羽毛球场 ${n}`)),
      ...[1, 2].map((n) => venue('sports_court', `乒乓球台 ${n}`)),
    ];
    await tx.insertInto('campus_venues').values(venues).execute();
    // 借阅图书: a shelf of the library's catalogue, borrowed in the app by barcode.
    const books = [
      ['平凡的世界', '路遥', 'I247.5/12'], ['活着', '余华', 'I247.57/23'], ['围城', '钱锺书', 'I246.5/8'], ['边城', '沈从文', 'I246.5/31'],
      ['三体', '刘慈欣', 'I247.55/66'], ['红楼梦', '曹雪芹', 'I242.4/1'], ['呐喊', '鲁迅', 'I210.6/2'], ['乡土中国', '费孝通', 'C912.82/5'],
    ].map(([title, author, callNo], i) => ({ id: newId(), school_id: schoolId, barcode: `${school.code}-B${String(i + 1).padStart(4, '0')}`, title: title!, author: author!, call_no: callNo!, created_at: clock.now() }));
    await tx.insertInto('library_books').values(books).execute();
  }
}

/**
 * 消息公告: the card centre's pinned notice of the holiday payment times for K-12 students and
 * parents (seed 001: fees are paid on Mondays and Tuesdays, not on holidays; the table is published
 * on the card management system's home page), and the university's 《学生宿舍控水器取水常见问题》
 * (seed 004: hot water is free but needs ¥0.10 on the card; faults go to 网上报修).
 */
async function seedNotices(tx: Db, clock: Clock, schoolIds: Map<string, string>): Promise<void> {
  const operator = await tx.selectFrom('staff_users').select('id').where('username', '=', 'operator').executeTakeFirstOrThrow();
  const now = clock.now();
  const notice = (schoolId: string | null, title: string, body: string[], pinned: boolean) => ({
    id: newId(), school_id: schoolId, audience: schoolId ? null : ('k12' as const), title, body: body.join('\n'), pinned, status: 'published' as const, published_at: now, withdrawn_at: null,
    created_by_role: 'operator' as const, created_by_id: operator.id, updated_by_role: 'operator' as const, updated_by_id: operator.id, created_at: now, updated_at: now,
  });
  const notices = [
    notice(null, '2027年元旦、春节期间学生卡缴费时间安排', [
      '各位同学、家长：',
      '学生卡补卡等费用的缴费时间为每周一和周二，节假日和寒暑假期间不予缴费，“缴费”按钮在缴费时间内才可以点击。2027年元旦、春节期间的缴费时间安排如下：',
      '一、元旦：2027年1月1日（周五）至1月3日（周日）放假，期间不予缴费；1月4日（周一）、1月5日（周二）正常缴费。',
      '二、寒假及春节：寒假期间不予缴费，春节放假安排以国务院办公厅通知为准；开学后的第一个周一起恢复缴费。',
      '三、支付过程中断的订单可在“待支付”中继续缴费或取消订单；支付完成后请点击“已完成支付”。',
      '四、缴费成功后学生卡制作周期为20个工作日，假期后工作日配送，请等待学校通知领卡。',
      '北京市学生卡管理中心',
    ], true),
    ...schools.filter((s) => s.stage === 'university').map((school) => notice(schoolIds.get(school.code)!, `${school.name}学生宿舍控水器取水常见问题`, [
      '一、怎样取用热水？将本人的校园实体卡放入宿舍控水器的读卡器卡槽内，热水龙头出水时系统开始计量；用水结束后请取回校园卡。',
      '二、热水收费吗？目前学校热水不计费，但校园卡账户余额不能低于0.10元，余额不足时控水器不出水，请先为校园卡充值。',
      '三、插卡后不出水怎么办？请确认校园卡未挂失、状态正常且余额不低于0.10元；仍不出水的，请及时与本栋宿舍管理员确认用水情况。',
      '四、控水器或龙头坏了怎么办？请通过校园卡APP“网上报修”提交，或拨打物业报修电话处理。',
      '五、校园卡丢失了怎么办？请立即在校园卡APP挂失，挂失后该卡不能取水；补办新卡请持身份证到自助设备办理。',
    ], false)),
  ];
  await tx.insertInto('notices').values(notices).execute();
}

/** The synthetic ID number of the i-th demo student (valid GB 11643 check digit). */
function demoIdNumber(i: number): string {
  const s = demoStudents[i]!;
  const school = schools.find((x) => x.code === s.school)!;
  return makeIdNumber({ areaCode: school.areaCode, birthDate: s.birthDate, sequence: 10 + i, gender: s.gender });
}

/** The logins the README and the start banner list. */
export function demoLogins(): string[] {
  const student = demoStudents[0]!;
  const undergraduate = demoStudents.findIndex((s) => s.studentNo);
  // The vocational college's music major: the practice rooms are kept for her major, not her college.
  const musicMajor = demoStudents.findIndex((s) => s.major === '音乐表演');
  const campusLogin = (i: number) => {
    const s = demoStudents[i]!;
    return `campus    student number ${s.studentNo} (${s.name}, ${s.college} ${s.major})  query password ${initialCampusPassword(demoIdNumber(i))} (last six of the ID number; change at first login)`;
  };
  return [
    `student   education ID ${student.educationId}  password ${student.birthDate.replaceAll('-', '')} (birth date; change at first login)`,
    campusLogin(undergraduate),
    campusLogin(musicMajor),
    `parent    phone ${demoParent.phone}  password 123456 (change at first login)`,
    ...demoStaff.map((s) => `${s.role.padEnd(9)} username ${s.username}  password ${s.password}`),
  ];
}

/**
 * The demo runs on today's date: when the calendar library does not know next year yet, the
 * demo opens it from weekdays with 元旦 off (the console flags it provisional), so that its ready
 * dates and fee windows run past New Year. A real card centre marks the year's holidays from the
 * State Council's notice instead (`onecard serve` warns from October on).
 */
export async function openNextYearForDemo(db: Db, clock: Clock): Promise<number | null> {
  const nextYear = Number(shanghaiDate(clock.now()).slice(0, 4)) + 1;
  if ((await calendarRepository.loadedYears(db)).includes(nextYear)) return null;
  return db.transaction().execute(async (tx) => {
    await openYearFromWeekdays(tx, clock, systemActor, nextYear, null);
    await editDay(tx, clock, systemActor, `${nextYear}-01-01`, { isWorkingDay: false, isHoliday: true, isVacation: false, name: '元旦' }, null);
    return nextYear;
  });
}

/**
 * 学费缴费 (seed 004): this academic year's tuition for every university student with a student
 * number, due in a month, and for 周晓东 a retake fee of his music college's course as well.
 */
async function seedBills(tx: Db, clock: Clock, schoolIds: Map<string, string>, studentIds: Map<string, string>): Promise<void> {
  const operator = await tx.selectFrom('staff_users').select('id').where('username', '=', 'operator').executeTakeFirstOrThrow();
  const today = shanghaiDate(clock.now());
  const year = Number(today.slice(0, 4)) - (Number(today.slice(5, 7)) < 9 ? 1 : 0);
  const academicYear = `${year}-${year + 1}`;
  const now = clock.now();
  const bill = (s: (typeof demoStudents)[number], kind: 'tuition' | 'retake', amountFen: number, course: string | null = null) => ({
    id: newId(), school_id: schoolIds.get(s.school)!, student_id: studentIds.get(s.educationId)!, kind, academic_year: academicYear, course, amount_fen: amountFen, due_date: addDays(today, 30),
    status: 'unpaid' as const, order_id: null, paid_via: null, ledger_transaction_id: null, paid_at: null, cancel_reason: null,
    created_by_role: 'operator', created_by: operator.id, created_at: now, updated_at: now,
  });
  const students = demoStudents.filter((s) => s.studentNo);
  const bills = [...students.map((s) => bill(s, 'tuition', 500_000)), ...students.filter((s) => s.studentNo === '2023110501').map((s) => bill(s, 'retake', 24_000, '和声学基础'))];
  await tx.insertInto('school_bills').values(bills).execute();
}
