import { useQuery } from '@tanstack/react-query';
import { Card, ErrorBlock, List, Skeleton, Tag } from 'antd-mobile';
import type { z } from 'zod';
import { scoreWordsEn, type ExamKind, type LetterGrade, type ScoreMark } from '../../../../src/domain/gpa.js';
import { termTitle } from '../../../../src/domain/teaching-weeks.js';
import type { gradesSchema } from '../../../../src/modules/academics/academics.schemas.js';
import { fill, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { academicMessages } from './academic-messages.js';
import { AcademicRefusal, isAcademicRefusal } from './TimetablePage.js';
import './academics.css';

type Grades = z.infer<typeof gradesSchema>;

const gpaText = (gpa: number | null, none: string) => (gpa === null ? none : gpa.toFixed(2));

/** A score as the app shows it: a number as is; a 等级 or a mark (优, 缺考, 通过 …) in the app's language. */
export const scoreText = (score: string, kind: 'numeric' | 'letter' | 'mark', lang: string): string =>
  kind === 'numeric' || lang !== 'en' ? score : scoreWordsEn[score as LetterGrade | ScoreMark] ?? score;

const examKindTag: Record<Exclude<ExamKind, 'normal'>, { message: 'makeup' | 'makeup2' | 'retake' | 'retakeMakeup' | 'retake2'; color: 'warning' | 'primary'; testId: string }> = {
  makeup: { message: 'makeup', color: 'warning', testId: 'grade-makeup' },
  makeup2: { message: 'makeup2', color: 'warning', testId: 'grade-makeup' },
  retake_makeup: { message: 'retakeMakeup', color: 'warning', testId: 'grade-makeup' },
  retake: { message: 'retake', color: 'primary', testId: 'grade-retake' },
  retake2: { message: 'retake2', color: 'primary', testId: 'grade-retake' },
};

/**
 * 成绩查询 (seed 004): the student's grades per term as the university's 教务系统 sent them, the
 * term's and the overall credit-weighted GPA over the university's own 绩点 (the rule is on the
 * screen), 补考 and 重修 marked.
 */
export function GradesPage() {
  const t = useMessages(academicMessages);
  const { lang } = useLang();
  const api = useApi();
  const { token } = useSession();
  const grades = useQuery({
    queryKey: ['campus', 'grades', token],
    queryFn: ({ signal }) => api.get<Grades>('/campus/grades', undefined, signal),
  });

  let body;
  if (grades.isPending) body = <Skeleton.Paragraph lineCount={8} animated data-testid="grades-loading" />;
  else if (grades.isError) body = isAcademicRefusal(grades.error) ? <AcademicRefusal error={grades.error} /> : <LoadFailed error={grades.error} onRetry={() => void grades.refetch()} />;
  else if (grades.data.terms.length === 0) body = <ErrorBlock status="empty" title={t.noGrades} data-testid="grades-empty" />;
  else {
    const { overall, terms } = grades.data;
    body = (
      <>
        <Card style={{ marginBottom: 12 }}>
          <div className="muted">{t.overallGpa}</div>
          <div className="gpa-big" data-testid="grades-overall-gpa">{gpaText(overall.gpa, t.noGpa)}</div>
          <div className="muted" style={{ fontSize: 13 }} data-testid="grades-overall-credits">{fill(t.overallCredits, { credits: overall.credits })}</div>
          <p className="muted" style={{ fontSize: 12, marginBottom: 0 }} data-testid="grades-rule">{t.gpaRule}</p>
        </Card>
        {terms.map((term, termIndex) => (
          <List
            // A student who transferred can have one term code from two universities.
            key={`${termIndex}-${term.code}`}
            mode="card"
            data-testid="grades-term"
            header={
              <div>
                <strong>{termTitle(term.code, lang)}</strong>
                <div className="muted" style={{ fontSize: 12 }} data-testid="grades-term-gpa">{fill(t.termGpa, { gpa: gpaText(term.summary.gpa, t.noGpa), credits: term.summary.credits })}</div>
              </div>
            }
          >
            {term.records.map((r) => (
              <List.Item
                key={`${r.courseCode ?? ''}|${r.courseName}|${r.examKind}`}
                data-testid="grade-record"
                data-exam-kind={r.examKind}
                extra={<span className={`grade-score${r.passed || r.score === '缓考' ? '' : ' failed'}`} data-testid="grade-score">{scoreText(r.score, r.scoreKind, lang)}</span>}
                description={
                  <>
                    {fill(t.credits, { credits: r.credits })} · {r.gradePoint === null ? t.noGradePoint : fill(t.gradePoint, { point: r.gradePoint.toFixed(Math.round(r.gradePoint * 100) % 10 === 0 ? 1 : 2) })}
                    {!r.countsOverall && <div style={{ fontSize: 12 }} data-testid="grade-superseded">{t.superseded}</div>}
                  </>
                }
              >
                {r.courseName}
                <span className="grade-tags">
                  {r.examKind !== 'normal' && <Tag color={examKindTag[r.examKind].color} fill="outline" data-testid={examKindTag[r.examKind].testId}>{t[examKindTag[r.examKind].message]}</Tag>}
                  {!r.passed && r.scoreKind === 'numeric' && <Tag color="danger" fill="outline">{t.failed}</Tag>}
                </span>
              </List.Item>
            ))}
          </List>
        ))}
        <p className="muted" style={{ fontSize: 12 }}>{t.source}</p>
      </>
    );
  }
  return (
    <SubPage title={t.gradesTitle} backTo="/">
      {body}
    </SubPage>
  );
}
