import { addDays, shanghaiDate, weekdayOf } from '../domain/calendar.js';
import { parseScore as readScore } from '../domain/gpa.js';
import { parseWeeks } from '../domain/teaching-weeks.js';
import type { Clock } from '../platform/clock.js';
import type { Db } from '../platform/db/database.js';
import { newId } from '../platform/ids.js';

/**
 * 课表查询 and 成绩查询 for the demo (seed 004): the university's current term began five weeks
 * before the demo's first start, so the app opens on teaching week 6 with a full week (an odd-week
 * and an even-week course sharing Wednesday morning); the two terms before it have grades, with
 * a 补考 and a 重修. What a university's 教务系统 would upload, written straight in.
 */

/** 学年-学期 of a term beginning on `firstMonday`: August–January starts the autumn term (1), February–July the spring term (2). */
function termCodeOf(firstMonday: string): string {
  const year = Number(firstMonday.slice(0, 4));
  const month = Number(firstMonday.slice(5, 7));
  if (month >= 8) return `${year}-${year + 1}-1`;
  return month === 1 ? `${year - 1}-${year}-1` : `${year - 1}-${year}-2`;
}

/** The term before: autumn's is last spring, spring's is last autumn. */
function previousTermCode(code: string): string {
  const [from, to, n] = code.split('-').map(Number) as [number, number, number];
  return n === 1 ? `${from - 1}-${to - 1}-2` : `${from}-${to}-1`;
}

/** The demo's own cells, which are right (a typo here is a programming error). */
function parseWeeksOrThrow(text: string): number[] {
  const weeks = parseWeeks(text);
  if (!weeks) throw new Error(`demo weeks ${text}`);
  return weeks;
}
function parseScore(text: string) {
  const score = readScore(text);
  if (!score) throw new Error(`demo score ${text}`);
  return score;
}

type Course = [course: string, teacher: string, location: string, weekday: number, periods: [number, number], weeks: string];
type Grade = [course: string, credits: number, score: string, gradePoint: number | null, kind?: 'makeup' | 'retake'];

/** 周晓东, 音乐学院 音乐学, in teaching week 6 of the current term. */
const musicTimetable: Course[] = [
  ['和声学基础（重修）', '赵强', '音乐楼305', 1, [1, 2], '1-16'],
  ['中国音乐史', '王芳', '音乐楼201', 1, [5, 6], '1-16'],
  ['大学英语（三）', '陈丽', '一教203', 2, [3, 4], '1-16'],
  ['钢琴（主修）', '刘洋', '琴房楼12', 2, [7, 8], '1-16'],
  ['曲式分析', '孙伟', '音乐楼305', 3, [1, 2], '1-15单'],
  ['视唱练耳', '周敏', '音乐楼108', 3, [1, 2], '2-16双'],
  ['毛泽东思想和中国特色社会主义理论体系概论', '李华', '综合楼401', 4, [3, 4], '1-16'],
  ['合唱', '吴刚', '音乐厅', 4, [9, 10], '1-8,10-16'],
  ['体育（三）', '郑强', '体育馆', 5, [1, 2], '1-16'],
  ['形势与政策', '韩梅', '综合楼101', 5, [3, 4], '5-8'],
];

/** 吴佳琪, 计算机学院 软件工程. */
const softwareTimetable: Course[] = [
  ['数据结构', '钱进', '信息楼402', 1, [3, 4], '1-16'],
  ['操作系统', '冯涛', '信息楼305', 3, [5, 6], '1-16'],
  ['软件工程导论', '许静', '信息楼210', 4, [1, 2], '2-16双'],
];

/** 周晓东's two earlier terms, oldest first: a failed course passed at the 补考, another retaken (重修) the next term, one without 绩点. */
const musicGrades: Grade[][] = [
  [
    ['和声学基础', 3, '52', 0],
    ['大学计算机基础', 2, '48', 0],
    ['中国近现代史纲要', 3, '56', 0],
    ['中国近现代史纲要', 3, '66', 1, 'makeup'],
    ['大学英语（二）', 3, '85', 3.5],
    ['钢琴（一）', 2, '92', 4],
    ['体育（一）', 1, '优', 4],
    ['军事理论', 2, '及格', null],
  ],
  [
    ['大学计算机基础', 2, '81', 3, 'retake'],
    ['音乐美学', 2, '88', 3.7],
    ['西方音乐史', 3, '79', 2.7],
    ['钢琴（二）', 2, '94', 4],
    ['体育（二）', 1, '良', 3],
  ],
];

const softwareGrades: Grade[][] = [
  [['程序设计基础', 4, '90', 4], ['离散数学', 3, '76', 2.7]],
  [['面向对象程序设计', 3, '87', 3.7], ['概率论与数理统计', 3, '良', 3]],
];

export async function seedAcademicRecords(tx: Db, clock: Clock, schoolId: string, students: { musicStudentId: string; softwareStudentId: string }): Promise<void> {
  const today = shanghaiDate(clock.now());
  const thisMonday = addDays(today, 1 - weekdayOf(today));
  const current = { id: newId(), code: '', first_monday: addDays(thisMonday, -35), weeks: 18 };
  current.code = termCodeOf(current.first_monday);
  const spring = { id: newId(), code: previousTermCode(current.code), first_monday: addDays(current.first_monday, -26 * 7), weeks: 18 };
  const autumn = { id: newId(), code: previousTermCode(spring.code), first_monday: addDays(spring.first_monday, -26 * 7), weeks: 18 };
  const now = clock.now();
  const term = (t: typeof current) => ({ ...t, school_id: schoolId, created_at: now, updated_at: now });
  await tx.insertInto('academic_terms').values([term(autumn), term(spring), term(current)]).execute();
  // Published as a whole-term upload would leave them (migration 0058): the past terms' grades, the current term's timetable.
  const published = (termId: string, kind: 'timetable' | 'grades') => ({ term_id: termId, kind, college: '', sha256: 'demo', uploaded_at: now });
  await tx.insertInto('academic_uploads').values([published(autumn.id, 'grades'), published(spring.id, 'grades'), published(current.id, 'timetable')]).execute();

  const entries = (studentId: string, courses: Course[]) => courses.map(([course, teacher, location, weekday, [first, last], weeks]) => ({
    id: newId(), term_id: current.id, student_id: studentId, course_name: course, teacher, location, weekday, first_period: first, last_period: last, weeks: parseWeeksOrThrow(weeks), weeks_text: weeks,
  }));
  await tx.insertInto('timetable_entries').values([...entries(students.musicStudentId, musicTimetable), ...entries(students.softwareStudentId, softwareTimetable)]).execute();

  const records = (studentId: string, terms: Grade[][]) => terms.flatMap((grades, i) => grades.map(([course, credits, scoreText, gradePoint, kind]) => {
    const score = parseScore(scoreText);
    return {
      id: newId(), term_id: [autumn, spring][i]!.id, student_id: studentId, course_name: course, credit_tenths: Math.round(credits * 10),
      score_tenths: score.kind === 'numeric' ? score.tenths : null, score_grade: score.kind === 'letter' ? score.grade : null,
      grade_point_hundredths: gradePoint === null ? null : Math.round(gradePoint * 100), exam_kind: kind ?? ('normal' as const),
    };
  }));
  await tx.insertInto('grade_records').values([...records(students.musicStudentId, musicGrades), ...records(students.softwareStudentId, softwareGrades)]).execute();
}
