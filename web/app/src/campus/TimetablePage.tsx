import { useQuery } from '@tanstack/react-query';
import { ActionSheet, Button, Card, Dialog, ErrorBlock, List, Skeleton } from 'antd-mobile';
import { useState } from 'react';
import type { z } from 'zod';
import { dateOfTeachingDay, meetsInWeek, shownWeek, termTitle } from '../../../../src/domain/teaching-weeks.js';
import type { timetableEntrySchema, timetableSchema } from '../../../../src/modules/academics/academics.schemas.js';
import { ApiError } from '../../../shared/api.js';
import { errorText, fill, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { academicMessages } from './academic-messages.js';
import './academics.css';

type Timetable = z.infer<typeof timetableSchema>;
type AcademicText = Record<keyof (typeof academicMessages)['en'], string>;
type Entry = z.infer<typeof timetableEntrySchema>;
/** A class with a weekday and periods; the others' time is to be arranged (online, a practice week). */
type Scheduled = Entry & { weekday: number; firstPeriod: number; lastPeriod: number };
const isScheduled = (e: Entry): e is Scheduled => e.weekday !== null && e.firstPeriod !== null && e.lastPeriod !== null;
/** Unique among a student's classes: the upload refuses two of one course, time and weeks. */
const entryKey = (e: Entry) => `${e.weekday ?? '-'}-${e.firstPeriod ?? '-'}-${e.lastPeriod ?? '-'}-${e.courseName}-${e.weeksText}`;

/**
 * Classes that overlap on a day (common for a student retaking a course: 重修 clashes) share the
 * column side by side: each gets a lane and the number of lanes of its group of overlapping classes.
 */
export function clashLanes<E extends { weekday: number; firstPeriod: number; lastPeriod: number }>(entries: readonly E[]): Map<E, { lane: number; lanes: number }> {
  const out = new Map<E, { lane: number; lanes: number }>();
  for (let day = 1; day <= 7; day++) {
    const own = entries.filter((e) => e.weekday === day).sort((a, b) => a.firstPeriod - b.firstPeriod || a.lastPeriod - b.lastPeriod);
    let group: { e: E; lane: number }[] = [];
    let laneEnds: number[] = [];
    let groupEnd = 0;
    const close = () => {
      for (const g of group) out.set(g.e, { lane: g.lane, lanes: laneEnds.length });
      group = [];
      laneEnds = [];
    };
    for (const e of own) {
      if (group.length > 0 && e.firstPeriod > groupEnd) close();
      let lane = laneEnds.findIndex((end) => end < e.firstPeriod);
      if (lane < 0) lane = laneEnds.push(e.lastPeriod) - 1;
      else laneEnds[lane] = e.lastPeriod;
      group.push({ e, lane });
      groupEnd = group.length === 1 ? e.lastPeriod : Math.max(groupEnd, e.lastPeriod);
    }
    close();
  }
  return out;
}

/** The refusal for anyone but a full-time undergraduate (ACADEMIC_UNDERGRADUATES_ONLY), as the server words it. */
export function AcademicRefusal({ error }: { error: ApiError }) {
  const t = useMessages(academicMessages);
  const { lang } = useLang();
  return <ErrorBlock status="default" title={t.refusedTitle} description={errorText(error, lang)} data-testid="academic-refused" />;
}

export const isAcademicRefusal = (error: unknown): error is ApiError => error instanceof ApiError && (error.code === 'ACADEMIC_UNDERGRADUATES_ONLY' || error.code === 'FORBIDDEN');

/**
 * 课表查询 (seed 004): the student's week of classes from the university's 教务系统. The current
 * term and week open first (the week counted from the term's first Monday in Beijing by the
 * server); any week of the term can be chosen; today's column is marked.
 */
export function TimetablePage() {
  const t = useMessages(academicMessages);
  const { lang } = useLang();
  const api = useApi();
  const { token } = useSession();
  const [termCode, setTermCode] = useState<string | undefined>(undefined);
  const [chosenWeek, setChosenWeek] = useState<number | null>(null);
  const [choosingTerm, setChoosingTerm] = useState(false);
  const timetable = useQuery({
    queryKey: ['campus', 'timetable', token, termCode],
    queryFn: ({ signal }) => api.get<Timetable>('/campus/timetable', termCode ? { termCode } : undefined, signal),
  });

  let body;
  if (timetable.isPending) body = <Skeleton.Paragraph lineCount={8} animated data-testid="timetable-loading" />;
  else if (timetable.isError) body = isAcademicRefusal(timetable.error) ? <AcademicRefusal error={timetable.error} /> : <LoadFailed error={timetable.error} onRetry={() => void timetable.refetch()} />;
  else if (!timetable.data.term) body = <ErrorBlock status="empty" title={t.noTerm} data-testid="timetable-empty" />;
  else {
    const data = timetable.data;
    const term = data.term!;
    const current = shownWeek(term.firstMonday, term.weeks, data.today);
    const inTerm = data.currentWeek !== null && data.currentWeek >= 1 && data.currentWeek <= term.weeks;
    const week = chosenWeek ?? current;
    const entries = data.entries.filter((e) => meetsInWeek(e.weeks, week));
    const scheduled = entries.filter(isScheduled);
    const unscheduled = entries.filter((e) => !isScheduled(e));
    body = (
      <>
        <Card style={{ marginBottom: 8 }}>
          <div className="timetable-term">
            <strong data-testid="timetable-term">{termTitle(term.code, lang)}</strong>
            {data.terms.length > 1 && <Button size="mini" fill="outline" onClick={() => setChoosingTerm(true)} data-testid="timetable-choose-term">{t.chooseTerm}</Button>}
          </div>
          <div className="muted" style={{ fontSize: 13 }} data-testid="timetable-now">
            {inTerm ? fill(t.nowWeek, { week: data.currentWeek! }) : data.currentWeek! < 1 ? fill(t.beforeTerm, { date: term.firstMonday }) : fill(t.afterTerm, { date: term.lastDay })}
          </div>
        </Card>
        <div className="week-switch">
          <Button size="small" disabled={week <= 1} onClick={() => setChosenWeek(week - 1)} data-testid="week-prev" aria-label={t.prevWeek}>‹</Button>
          <div className="week-switch-title">
            <strong data-testid="timetable-week">{fill(t.weekN, { week })}</strong>
            {inTerm && week === data.currentWeek && <span className="week-now">{t.thisWeek}</span>}
            <div className="muted" style={{ fontSize: 12 }}>{fill(t.weekRange, { from: dateOfTeachingDay(term.firstMonday, week, 1).slice(5), to: dateOfTeachingDay(term.firstMonday, week, 7).slice(5) })}</div>
          </div>
          <Button size="small" disabled={week >= term.weeks} onClick={() => setChosenWeek(week + 1)} data-testid="week-next" aria-label={t.nextWeek}>›</Button>
        </div>
        {week !== current && (
          <Button block size="small" fill="none" color="primary" onClick={() => setChosenWeek(null)} data-testid="week-back">{t.backToThisWeek}</Button>
        )}
        {!data.published ? (
          <ErrorBlock status="empty" title={t.notPublished} data-testid="timetable-unpublished" />
        ) : entries.length === 0 ? (
          <ErrorBlock status="empty" title={t.noClassesThisWeek} data-testid="timetable-no-classes" />
        ) : (
          <>
            {scheduled.length > 0 && <WeekGrid firstMonday={term.firstMonday} week={week} today={data.today} entries={scheduled} />}
            {unscheduled.length > 0 && <Unscheduled entries={unscheduled} />}
          </>
        )}
        <p className="muted" style={{ fontSize: 12 }}>{t.source}</p>
        <ActionSheet
          visible={choosingTerm}
          cancelText={t.cancel}
          actions={[...data.terms].reverse().map((option) => ({ key: option.code, text: termTitle(option.code, lang), bold: option.code === term.code }))}
          onAction={(action) => {
            setTermCode(String(action.key));
            setChosenWeek(null);
            setChoosingTerm(false);
          }}
          onClose={() => setChoosingTerm(false)}
        />
      </>
    );
  }
  return (
    <SubPage title={t.timetableTitle} backTo="/">
      {body}
    </SubPage>
  );
}

function showClass(e: Entry, t: AcademicText) {
  const days = t.weekdays.split(',');
  void Dialog.alert({
    title: e.courseName,
    content: (
      <div className="class-details" data-testid="class-details">
        <div>{t.time}：{isScheduled(e) ? <>{fill(t.weekdayFull, { day: days[e.weekday - 1]! })} {fill(e.firstPeriod === e.lastPeriod ? t.periodOne : t.periodsOf, { first: e.firstPeriod, last: e.lastPeriod })}</> : t.toBeArranged}</div>
        {e.location && <div>{t.location}：{e.location}</div>}
        {e.teacher && <div>{t.teacher}：{e.teacher}</div>}
        <div>{t.weeks}：{e.weeksText}</div>
      </div>
    ),
    confirmText: t.ok,
  });
}

/** This week's classes whose time is to be arranged (时间待定): an online course, a practice week. */
function Unscheduled({ entries }: { entries: Entry[] }) {
  const t = useMessages(academicMessages);
  return (
    <List header={t.toBeArranged} mode="card" data-testid="timetable-unscheduled">
      {entries.map((e) => (
        <List.Item key={entryKey(e)} onClick={() => showClass(e, t)} description={[e.location, e.teacher, `${t.weeks} ${e.weeksText}`].filter(Boolean).join(' · ')} data-testid="timetable-unscheduled-class">
          {e.courseName}
        </List.Item>
      ))}
    </List>
  );
}

/** Monday to Sunday across, periods down; a class spans its periods; clashing classes share the column; today's column is marked. */
function WeekGrid({ firstMonday, week, today, entries }: { firstMonday: string; week: number; today: string; entries: Scheduled[] }) {
  const t = useMessages(academicMessages);
  const days = t.weekdays.split(',');
  const periods = Math.max(10, ...entries.map((e) => e.lastPeriod));
  const lanes = clashLanes(entries);
  const showDetails = (e: Entry) => showClass(e, t);
  return (
    <div className="week-grid" style={{ gridTemplateRows: `auto repeat(${periods}, 44px)` }} data-testid="timetable-grid">
      <div className="week-grid-corner" />
      {days.map((day, i) => {
        const date = dateOfTeachingDay(firstMonday, week, i + 1);
        return (
          <div key={day} className={`week-grid-day${date === today ? ' today' : ''}`} style={{ gridColumn: i + 2, gridRow: 1 }} data-testid={date === today ? 'timetable-today' : undefined}>
            <div>{day}</div>
            <div className="week-grid-date">{date.slice(5)}</div>
          </div>
        );
      })}
      {Array.from({ length: periods }, (_, i) => (
        <div key={i} className="week-grid-period" style={{ gridColumn: 1, gridRow: i + 2 }}>{i + 1}</div>
      ))}
      {days.map((day, i) => dateOfTeachingDay(firstMonday, week, i + 1) === today && (
        <div key={`today-${day}`} className="week-grid-today-column" style={{ gridColumn: i + 2, gridRow: `2 / ${periods + 2}` }} />
      ))}
      {entries.map((e) => {
        const { lane, lanes: of } = lanes.get(e) ?? { lane: 0, lanes: 1 };
        return (
          <button
            key={entryKey(e)}
            type="button"
            className={`week-grid-class${of > 1 ? ' clash' : ''}`}
            style={{ gridColumn: e.weekday + 1, gridRow: `${e.firstPeriod + 1} / ${e.lastPeriod + 2}`, ...(of > 1 ? { justifySelf: 'start', width: `${100 / of}%`, marginLeft: `${(100 * lane) / of}%` } : {}) }}
            onClick={() => showDetails(e)}
            data-testid="timetable-class"
            data-clash={of > 1 ? `${lane + 1}/${of}` : undefined}
          >
            <span className="week-grid-course">{e.courseName}</span>
            {e.location && <span className="week-grid-location">@{e.location}</span>}
          </button>
        );
      })}
    </div>
  );
}
