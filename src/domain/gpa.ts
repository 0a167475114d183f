/**
 * 成绩 and 绩点 (grade points) as the university's 教务系统 gives them, and the credit-weighted
 * GPA Onecard shows from them. Onecard never turns a score into a grade point: every university
 * has its own scale (4.0, 4.3, 5.0; caps on 补考 passes), so the 绩点 is the university's and the
 * GPA is only its credit-weighted mean:
 *
 *   GPA = Σ(绩点 × 学分) / Σ 学分
 *
 * over the attempts that count (decision docs/decisions/0011-academic-records.md):
 *
 * - **A 补考 or 重修 replaces; a normal attempt adds.** A 补考 (makeup exam) or 重修 (retake) of a
 *   course replaces the earlier attempt it retakes: the failed first attempt's 0 no longer drags
 *   the GPA down, and the pass is only worth what the university's 绩点 for it says (many cap a
 *   补考 pass at 1.0: that is in the 绩点 they send). With a 课程号 that is every earlier attempt
 *   of the course. Without one, the name may be a course taken every term (形势与政策, 体育), so
 *   it replaces only the latest earlier attempt of that name that failed (a retake is of a failed
 *   course), or the latest earlier attempt when none failed (a retake to improve a pass); the other
 *   terms' attempts of the name still count. A later *normal* attempt never replaces an earlier
 *   one: each term's 形势与政策 counts. Attempts are taken in the order they are sat: by term, and
 *   in one term 正常, 补考(一), 补考二, 重修(一), 重修补考, 重修二; a chain (正常 failed, 补考 failed,
 *   重修 next term) therefore ends with its last attempt, each replacing the one before.
 * - **A term's GPA** is over that term's own attempts, with the same rule inside the term; the
 *   **overall GPA** is over every term, the rule applied across terms.
 * - An attempt without a 绩点 (pass/fail courses, 通过) or with 0 credits is left out; a set with
 *   no counted credit has no GPA (null), never 0. 缺考 (absent) is a fail: it counts with the
 *   university's 绩点 for it (0 at most universities; none given, it is left out like any other).
 *   缓考 (deferred) and 免修 (exempted) have no result: they never count and never replace an
 *   earlier attempt, whatever 绩点 came with them.
 * - Courses are the same course when their 课程号 (course code) is the same, when the university
 *   gives one; else when their names are the same (as the university writes them).
 *
 * Integer arithmetic: credits in tenths, grade points in hundredths; the GPA is rounded half up to
 * two decimals. Pure; shared by the server and the web app.
 */

/** 考试性质, in the order they are sat within a term. */
export const examKinds = ['normal', 'makeup', 'makeup2', 'retake', 'retake_makeup', 'retake2'] as const;
export type ExamKind = (typeof examKinds)[number];
export const examKindLabels: Record<ExamKind, { zh: string; en: string }> = {
  normal: { zh: '正常', en: 'regular' },
  makeup: { zh: '补考', en: 'makeup exam' },
  makeup2: { zh: '补考二', en: 'second makeup exam' },
  retake: { zh: '重修', en: 'retake' },
  retake_makeup: { zh: '重修补考', en: 'makeup exam of a retake' },
  retake2: { zh: '重修二', en: 'second retake' },
};
/** Whether an attempt of this kind replaces the earlier attempts of its course (a 补考 or 重修 does; 正常 does not). */
export const isReplacingKind = (kind: ExamKind): boolean => kind !== 'normal';
/** Whether the kind is a 补考 (of the course or of its retake) rather than a 重修. */
export const isMakeupKind = (kind: ExamKind): boolean => kind === 'makeup' || kind === 'makeup2' || kind === 'retake_makeup';

/** 等级制成绩, best first. */
export const letterGrades = ['优', '良', '中', '及格', '不及格'] as const;
export type LetterGrade = (typeof letterGrades)[number];

export const maxCreditTenths = 300;
export const maxGradePointHundredths = 500;

/**
 * Marks a 教务系统 writes instead of a score: 缺考 (absent: a fail), 缓考 (deferred: no result yet),
 * 免修 (exempted: no result), 通过 / 不通过 (pass / fail courses; also P / F).
 */
export const scoreMarks = ['缺考', '缓考', '免修', '通过', '不通过'] as const;
export type ScoreMark = (typeof scoreMarks)[number];
/** What the app shows in English for a 等级 or a mark. */
export const scoreWordsEn: Record<LetterGrade | ScoreMark, string> = {
  优: 'Excellent', 良: 'Good', 中: 'Fair', 及格: 'Pass', 不及格: 'Fail',
  缺考: 'Absent', 缓考: 'Deferred', 免修: 'Exempted', 通过: 'Passed', 不通过: 'Not passed',
};

/** A score as given: a number 0–100 (tenths), a 等级, or a mark. */
export type Score = { kind: 'numeric'; tenths: number } | { kind: 'letter'; grade: LetterGrade } | { kind: 'mark'; mark: ScoreMark };

/** Whether an attempt with this score can count at all: 缓考 and 免修 have no result. */
export const isResult = (score: Score): boolean => score.kind !== 'mark' || (score.mark !== '缓考' && score.mark !== '免修');

export interface Attempt {
  courseName: string;
  /** 课程号, when the university gives one: the course's identity then, else its name. */
  courseCode?: string | null;
  /** The score; an attempt without a result (缓考, 免修) never counts. Absent: a result. */
  score?: Score;
  creditTenths: number;
  /** The university's 绩点 for this attempt, in hundredths; null when it gives none. */
  gradePointHundredths: number | null;
  examKind: ExamKind;
}

/** An attempt with the order of its term (earlier terms smaller). */
export interface TermAttempt extends Attempt {
  termOrder: number;
}

export interface GpaSummary {
  /** Two decimals, or null when no credit counted. */
  gpa: number | null;
  /** The credits the GPA is weighted by (tenths). */
  creditTenths: number;
  /** The courses counted. */
  courses: number;
}

const kindOrder = Object.fromEntries(examKinds.map((k, i) => [k, i])) as Record<ExamKind, number>;

/** Which course an attempt is of: its 课程号 when given, else its name. */
export const courseKey = (a: Pick<Attempt, 'courseName' | 'courseCode'>): string => (a.courseCode ? `code:${a.courseCode}` : `name:${a.courseName}`);

/**
 * Which of the earlier attempts of a name (held, in the order sat) a 补考 or 重修 without a 课程号
 * retakes: the latest that failed, else the latest; -1 when there is none.
 */
function retakenIndex(held: readonly Attempt[]): number {
  const failed = held.findLastIndex((a) => a.score !== undefined && !isPassing(a.score));
  return failed >= 0 ? failed : held.length - 1;
}

/**
 * The attempts that count, taken in the order sat (term, then 正常 < 补考 < 补考二 < 重修 <
 * 重修补考 < 重修二): a 补考 or 重修 replaces every earlier attempt of its course when it has a
 * 课程号, else the one earlier attempt of its name it retakes (retakenIndex); a normal attempt is
 * added to them (a course of the same name taken every term counts every term). 缓考 and 免修 are
 * passed over.
 */
export function countedAttempts<T extends TermAttempt>(attempts: readonly T[]): T[] {
  const sat = attempts.map((a, i) => ({ a, i })).filter(({ a }) => a.score === undefined || isResult(a.score))
    .sort((x, y) => x.a.termOrder - y.a.termOrder || kindOrder[x.a.examKind] - kindOrder[y.a.examKind] || x.i - y.i);
  const held = new Map<string, T[]>();
  for (const { a } of sat) {
    const key = courseKey(a);
    const earlier = held.get(key) ?? [];
    if (!isReplacingKind(a.examKind)) held.set(key, [...earlier, a]);
    else if (a.courseCode) held.set(key, [a]);
    else {
      const retaken = retakenIndex(earlier);
      held.set(key, [...earlier.filter((_, k) => k !== retaken), a]);
    }
  }
  return [...held.values()].flat();
}

/** Whether an attempt is superseded by a later one of the same course in `attempts`. */
export function isSuperseded<T extends TermAttempt>(attempt: T, attempts: readonly T[]): boolean {
  return !countedAttempts(attempts).includes(attempt);
}

/** The credit-weighted mean of the counted attempts' grade points. */
export function weightedGpa(attempts: readonly TermAttempt[]): GpaSummary {
  let weighted = 0;
  let creditTenths = 0;
  let courses = 0;
  for (const a of countedAttempts(attempts)) {
    if (a.gradePointHundredths === null || a.creditTenths === 0) continue;
    weighted += a.gradePointHundredths * a.creditTenths;
    creditTenths += a.creditTenths;
    courses += 1;
  }
  // Hundredths of a grade point, rounded half up: exact in integers.
  const gpa = creditTenths === 0 ? null : Math.floor((2 * weighted + creditTenths) / (2 * creditTenths)) / 100;
  return { gpa, creditTenths, courses };
}

/** A term's GPA: its own attempts (each with the same termOrder), the rule applied inside it. */
export function termGpa(attempts: readonly Attempt[]): GpaSummary {
  return weightedGpa(attempts.map((a) => ({ ...a, termOrder: 0 })));
}

/** Whether the score is a pass: 60 or more, any 等级 but 不及格, 通过 or 免修 (缺考, 缓考 and 不通过 are not). */
export function isPassing(score: Score): boolean {
  if (score.kind === 'numeric') return score.tenths >= 600;
  if (score.kind === 'letter') return score.grade !== '不及格';
  return score.mark === '通过' || score.mark === '免修';
}

const letterWords: Record<string, LetterGrade> = { 优: '优', 优秀: '优', 良: '良', 良好: '良', 中: '中', 中等: '中', 及格: '及格', 合格: '及格', 不及格: '不及格', 不合格: '不及格' };
const markWords: Record<string, ScoreMark> = {
  缺考: '缺考', 旷考: '缺考', 缓考: '缓考', 免修: '免修', 免考: '免修', 通过: '通过', p: '通过', pass: '通过', 不通过: '不通过', 未通过: '不通过', f: '不通过', fail: '不通过',
};

/** 成绩 as written: "92", "87.5" (0–100, one decimal at most), 优/良/中/及格/不及格 (also 优秀, 良好, 中等), 缺考, 缓考, 免修, 通过/不通过 (P/F), or null. */
export function parseScore(text: string): Score | null {
  const cleaned = text.normalize('NFKC').replace(/\s+/g, '');
  const letter = letterWords[cleaned];
  if (letter) return { kind: 'letter', grade: letter };
  const mark = markWords[cleaned.toLowerCase()];
  if (mark) return { kind: 'mark', mark };
  const tenths = parseDecimal(cleaned, 1);
  return tenths !== null && tenths <= 1000 ? { kind: 'numeric', tenths } : null;
}

/** A score as the app shows it: "87.5", "92", "良", "缓考". */
export function formatScore(score: Score): string {
  return score.kind === 'letter' ? score.grade : score.kind === 'mark' ? score.mark : formatDecimal(score.tenths, 1);
}

/** A stored score_grade (a 等级 or a mark) back to a score. */
export function storedWordScore(word: string): Score {
  return (letterGrades as readonly string[]).includes(word) ? { kind: 'letter', grade: word as LetterGrade } : { kind: 'mark', mark: word as ScoreMark };
}

/** 学分 as written ("3", "1.5"): tenths, 0–30 credits; or null. */
export function parseCredits(text: string): number | null {
  const tenths = parseDecimal(text.normalize('NFKC').trim(), 1);
  return tenths !== null && tenths <= maxCreditTenths ? tenths : null;
}

/** 绩点 as written ("3.7", "4.33", "0"): hundredths, 0–5; or null. */
export function parseGradePoint(text: string): number | null {
  const hundredths = parseDecimal(text.normalize('NFKC').trim(), 2);
  return hundredths !== null && hundredths <= maxGradePointHundredths ? hundredths : null;
}

/** A non-negative decimal with at most `places` decimals, scaled to an integer of that many places; or null. */
export function parseDecimal(text: string, places: number): number | null {
  const m = /^(\d{1,4})(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  if (fraction.length > places) return null;
  return Number(m[1]) * 10 ** places + Number(fraction.padEnd(places, '0') || '0');
}

/** An integer of `places` decimals as text, without trailing zeros: 15 (1 place) → "1.5", 30 → "3". */
export function formatDecimal(scaled: number, places: number): string {
  const text = (scaled / 10 ** places).toFixed(places);
  return places === 0 ? text : text.replace(/\.?0+$/, '');
}
