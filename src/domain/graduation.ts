/**
 * When a student leaves their stage (pure; seed 001: the card's 有效期 "根据学生毕业时间而定"):
 * 31 August of the year they finish it. Primary ends after grade 6, middle after grade 9, high
 * after grade 12. A class's grade may be counted from primary 1 (7 = middle 1, 12 = 高三) or
 * within the stage (1 = 初一, 3 = 高三): schools and rosters write both, so both are read here.
 * A school year starts on 1 September.
 *
 * The one rule for the card face (card-face.ts) and the yearly extension's bound
 * (extension-rules.ts); each decides for itself what a student without a class gets.
 */
export type Stage = 'primary' | 'middle' | 'high' | 'university' | 'vocational';

const stageGrades: Record<Stage, { first: number; last: number }> = {
  primary: { first: 1, last: 6 },
  middle: { first: 7, last: 9 },
  high: { first: 10, last: 12 },
  university: { first: 1, last: 4 },
  vocational: { first: 1, last: 3 },
};

export function isStage(stage: string): stage is Stage {
  return stage in stageGrades;
}

/** The stage's first grade, counted as `graduationDate` counts it. */
export function firstGradeOf(stage: Stage): number {
  return stageGrades[stage].first;
}

/** 31 August of the year a student in `grade` of `stage` on `today` leaves the stage. */
export function graduationDate(stage: Stage, grade: number, today: string): string {
  const { first, last } = stageGrades[stage];
  const overall = grade >= first ? grade : first - 1 + grade;
  const yearsLeft = Math.max(0, last - Math.min(overall, last));
  const [year, month] = today.split('-').map(Number) as [number, number];
  const schoolYearEnds = month >= 9 ? year + 1 : year;
  return `${schoolYearEnds + yearsLeft}-08-31`;
}
