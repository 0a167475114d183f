/**
 * Who may read 课表查询 and 成绩查询 (seed 004: "全日制本科生可通过校园卡APP中'课表查询'、'成绩查询'
 * 等师生类应用快速查阅到与个人学业相关的信息"): an enrolled, full-time undergraduate (全日制本科生) of
 * a university or vocational college. Everyone else is refused with one stable code
 * (ACADEMIC_UNDERGRADUATES_ONLY) and the reason below. A study level or full-time flag the school
 * has not given is a refusal too: guessing would show a 专科 or part-time student what the
 * university has not opened to them. Pure, shared by the server and the web app.
 */

/** 培养层次: 专科 (高职 included), 本科, 研究生 (硕士 and 博士). */
export const studyLevels = ['associate', 'undergraduate', 'postgraduate'] as const;
export type StudyLevel = (typeof studyLevels)[number];

export const studyLevelLabels: Record<StudyLevel, { zh: string; en: string }> = {
  associate: { zh: '专科（高职）', en: 'associate (vocational)' },
  undergraduate: { zh: '本科', en: 'undergraduate' },
  postgraduate: { zh: '研究生', en: 'postgraduate' },
};

export interface AcademicReader {
  /** The school's stage: primary … university. */
  schoolStage: string;
  status: 'enrolled' | 'graduated' | 'transferred' | 'left';
  studyLevel: StudyLevel | null;
  /** 全日制; null when the school has not said. */
  fullTime: boolean | null;
}

export type AcademicRefusal =
  /** Not a university or vocational college student. */
  | 'not_campus'
  /** Graduated, transferred or left. */
  | 'not_enrolled'
  /** The school has not given the study level or the full-time flag. */
  | 'level_unknown'
  /** 专科 or 研究生. */
  | 'not_undergraduate'
  /** 非全日制. */
  | 'part_time';

/** Why the student may not read timetables and grades here, or null when they may. */
export function academicRecordsRefusal(student: AcademicReader): AcademicRefusal | null {
  if (student.schoolStage !== 'university' && student.schoolStage !== 'vocational') return 'not_campus';
  if (student.status !== 'enrolled') return 'not_enrolled';
  if (student.studyLevel === null || student.fullTime === null) return 'level_unknown';
  if (student.studyLevel !== 'undergraduate') return 'not_undergraduate';
  if (!student.fullTime) return 'part_time';
  return null;
}

/** Whether the student may read their timetable and grades. */
export const mayReadAcademicRecords = (student: AcademicReader): boolean => academicRecordsRefusal(student) === null;

const levelWords: Record<string, StudyLevel> = {
  本科: 'undergraduate', 普通本科: 'undergraduate', 职业本科: 'undergraduate', 本科生: 'undergraduate', 普通本科生: 'undergraduate', 职业本科生: 'undergraduate',
  // 专升本: a 专科 graduate admitted to the third year of a 本科 programme, an undergraduate now.
  专升本: 'undergraduate', undergraduate: 'undergraduate', bachelor: 'undergraduate',
  专科: 'associate', 高职: 'associate', 大专: 'associate', 高职专科: 'associate', '高职(专科)': 'associate', '专科(高职)': 'associate', 专科生: 'associate', 高职生: 'associate', 大专生: 'associate',
  associate: 'associate', vocational: 'associate',
  研究生: 'postgraduate', 硕士: 'postgraduate', 博士: 'postgraduate', 硕士研究生: 'postgraduate', 博士研究生: 'postgraduate', postgraduate: 'postgraduate', master: 'postgraduate', doctoral: 'postgraduate',
};

/**
 * A roster cell's 培养层次 (本科, 本科生, 专升本, 专科, 高职, 研究生, 硕士, 博士, or the English words),
 * or null. A trailing note in brackets ("本科(四年制)") does not matter.
 */
export function readStudyLevel(cell: string): StudyLevel | null {
  const key = cell.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
  return levelWords[key] ?? levelWords[key.replace(/\([^()]*\)$/, '')] ?? null;
}

const fullTimeWords: Record<string, boolean> = {
  全日制: true, 普通全日制: true, 脱产: true, 全脱产: true, 是: true, y: true, yes: true, 'full-time': true, fulltime: true, true: true, '1': true,
  非全日制: false, 业余: false, 函授: false, 夜大: false, 不脱产: false, 半脱产: false, 否: false, n: false, no: false, 'part-time': false, parttime: false, false: false, '0': false,
};

/** A roster cell's 学习形式 (全日制, 普通全日制, 脱产 / 非全日制, 业余, 函授, 夜大, or 是 / 否), or null. */
export function readFullTime(cell: string): boolean | null {
  return fullTimeWords[cell.normalize('NFKC').replace(/\s+/g, '').toLowerCase()] ?? null;
}
