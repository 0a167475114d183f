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
 * - **One attempt per course.** A course taken again (补考 makeup exam, 重修 retake) counts once,
 *   with its latest attempt: later terms over earlier ones, and in one term 重修 over 补考 over
 *   正常 (the order the exams are sat). The failed first attempt's 0 no longer drags the GPA
 *   down, and the pass is only worth what the university's 绩点 for it says (many cap a 补考
 *   pass at 1.0: that is in the 绩点 they send).
 * - **A term's GPA** is over that term's own attempts, with the same rule inside the term; the
 *   **overall GPA** is over every term, the rule applied across terms.
 * - An attempt without a 绩点 (pass/fail courses, exemptions) or with 0 credits is left out; a set
 *   with no counted credit has no GPA (null), never 0.
 * - Courses are the same course when their names are the same (as the university writes them).
 *
 * Integer arithmetic: credits in tenths, grade points in hundredths; the GPA is rounded half up to
 * two decimals. Pure; shared by the server and the web app.
 */

export const examKinds = ['normal', 'makeup', 'retake'] as const;
export type ExamKind = (typeof examKinds)[number];
export const examKindLabels: Record<ExamKind, { zh: string; en: string }> = {
  normal: { zh: '正常', en: 'regular' },
  makeup: { zh: '补考', en: 'makeup exam' },
  retake: { zh: '重修', en: 'retake' },
};

/** 等级制成绩, best first. */
export const letterGrades = ['优', '良', '中', '及格', '不及格'] as const;
export type LetterGrade = (typeof letterGrades)[number];

export const maxCreditTenths = 300;
export const maxGradePointHundredths = 500;

/** A score as given: a number 0–100 (tenths), or a 等级. */
export type Score = { kind: 'numeric'; tenths: number } | { kind: 'letter'; grade: LetterGrade };

export interface Attempt {
  courseName: string;
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

const kindOrder: Record<ExamKind, number> = { normal: 0, makeup: 1, retake: 2 };

/** The attempts that count: per course, the latest (term, then 正常 < 补考 < 重修). */
export function countedAttempts<T extends TermAttempt>(attempts: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const a of attempts) {
    const held = latest.get(a.courseName);
    if (!held || a.termOrder > held.termOrder || (a.termOrder === held.termOrder && kindOrder[a.examKind] >= kindOrder[held.examKind])) latest.set(a.courseName, a);
  }
  return [...latest.values()];
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

/** Whether the score is a pass: 60 or more, or any 等级 but 不及格. */
export function isPassing(score: Score): boolean {
  return score.kind === 'numeric' ? score.tenths >= 600 : score.grade !== '不及格';
}

const letterWords: Record<string, LetterGrade> = { 优: '优', 优秀: '优', 良: '良', 良好: '良', 中: '中', 中等: '中', 及格: '及格', 合格: '及格', 不及格: '不及格', 不合格: '不及格' };

/** 成绩 as written: "92", "87.5" (0–100, one decimal at most) or 优/良/中/及格/不及格 (also 优秀, 良好, 中等), or null. */
export function parseScore(text: string): Score | null {
  const cleaned = text.normalize('NFKC').replace(/\s+/g, '');
  const letter = letterWords[cleaned];
  if (letter) return { kind: 'letter', grade: letter };
  const tenths = parseDecimal(cleaned, 1);
  return tenths !== null && tenths <= 1000 ? { kind: 'numeric', tenths } : null;
}

/** A score as the app shows it: "87.5", "92", "良". */
export function formatScore(score: Score): string {
  return score.kind === 'letter' ? score.grade : formatDecimal(score.tenths, 1);
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
