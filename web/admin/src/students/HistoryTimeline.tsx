import { Card, Empty, Space, Tag, Timeline, Typography } from 'antd';
import { fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { classLabel, labelOf, messages } from '../messages.js';
import type { ClassRow, StudentDetail } from '../types.js';
import { useClasses } from '../useClasses.js';
import { studentLabel, studentMessages } from './messages.js';

type Entry = StudentDetail['history'][number];
type Lookup = { t: (typeof messages)['zh-CN']; s: (typeof studentMessages)['zh-CN']; student: StudentDetail; classes: ClassRow[] };

const asRecord = (value: unknown): Record<string, unknown> | null =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

/** Ids become names where the page knows them; other ids show their last 8 characters. */
function display(key: string, value: unknown, { t, s, student, classes }: Lookup): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? s.yes : s.no;
  const text = String(value);
  if (key === 'status') return labelOf(t, 'status', text);
  if (key === 'stage') return labelOf(t, 'stage', text);
  if (key === 'school_id' && text === student.schoolId) return student.schoolName;
  if (key === 'class_id') {
    const found = classes.find((c) => c.id === text);
    if (found) return classLabel(t, found.grade, found.classNo);
  }
  return key.endsWith('_id') || key.endsWith('Id') ? `…${text.slice(-8)}` : text;
}

/** "班级：7年级01班 → 7年级02班" for each field a change touched; for a new fact, the fields worth showing. */
function describe(entry: Entry, lookup: Lookup): string[] {
  const before = asRecord(entry.before);
  const after = asRecord(entry.after);
  if (before && after) {
    return Object.keys(after)
      .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
      .map((key) => fill(lookup.s.changed, {
        field: studentLabel(lookup.s, 'field', key),
        before: display(key, before[key], lookup),
        after: display(key, after[key], lookup),
      }));
  }
  const fact = after ?? before;
  if (!fact) return [];
  return ['phone', 'purpose', 'status']
    .filter((key) => key in fact)
    .map((key) => `${studentLabel(lookup.s, 'field', key)}：${display(key, fact[key], lookup)}`);
}

/** The student's audit history, newest first: what happened, who did it, what changed. */
export function HistoryTimeline({ student }: { student: StudentDetail }) {
  const t = useMessages(messages);
  const s = useMessages(studentMessages);
  const { lang } = useLang();
  const classes = useClasses(student.schoolId);
  const lookup: Lookup = { t, s, student, classes: classes.data ?? [] };
  const items = student.history.map((entry, index) => ({
    key: `${entry.at}-${index}`,
    title: formatBeijingTime(entry.at, lang),
    content: (
      <Space orientation="vertical" size={0}>
        <Space size={4} wrap>
          <Typography.Text strong>{studentLabel(s, 'action', entry.action)}</Typography.Text>
          <Tag>{fill(s.by, { role: labelOf(t, 'role', entry.actorRole) })}</Tag>
        </Space>
        {describe(entry, lookup).map((line) => (
          <Typography.Text key={line} type="secondary">{line}</Typography.Text>
        ))}
      </Space>
    ),
  }));
  return (
    <Card title={s.history}>
      {items.length === 0 ? <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={s.noHistory} /> : <Timeline items={items} data-testid="student-history" />}
    </Card>
  );
}
