import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, InputNumber, List, Select, Space, Table, Typography, Upload, type TableColumnsType } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import { termTitle } from '../../../../src/domain/teaching-weeks.js';
import type { adminTermSchema, adminTermsSchema, clearResultSchema, uploadResultSchema } from '../../../../src/modules/academics/academics.schemas.js';
import { ApiError } from '../../../shared/api.js';
import { errorText, fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { academicAdminMessages } from './academic-messages.js';
import { SchoolScoped } from './SchoolScoped.js';

type Term = z.infer<typeof adminTermSchema>;
type Uploaded = z.infer<typeof uploadResultSchema>;
type Cleared = z.infer<typeof clearResultSchema>;
type Kind = 'timetable' | 'grades';
interface FileProblem { row: number; field: string; code: string; message: string; messageEn: string }
const path = '/admin/academic/terms';
const termsKey = ['admin', 'academic', 'terms'] as const;

/**
 * 课表与成绩: the terms of a university and, per term, the timetable and grades its 教务系统
 * sent (through the API, or a CSV uploaded here that replaces the term's whole or one 院系's: every
 * bad row is listed and nothing is written until the file is right), and clearing them.
 */
export function AcademicRecordsPage() {
  return <SchoolScoped>{(schoolId) => <SchoolTerms schoolId={schoolId} />}</SchoolScoped>;
}

function SchoolTerms({ schoolId }: { schoolId: string }) {
  const t = useMessages(academicAdminMessages);
  const { lang } = useLang();
  const admin = useAdminApi();
  const [problems, setProblems] = useState<{ count: number; rows: FileProblem[] } | null>(null);
  // The scope of uploads and clears: the whole term (null) or one 院系 of the school's students.
  const [college, setCollege] = useState<string | null>(null);
  const terms = useQuery({
    queryKey: [...termsKey, schoolId],
    queryFn: ({ signal }) => admin.api.get<z.infer<typeof adminTermsSchema>>(path, { schoolId }, signal),
  });
  const rowsIn = (term: Term, kind: Kind) => {
    if (college === null) return kind === 'timetable' ? term.timetableRows : term.gradeRows;
    const own = term.colleges.find((c) => c.college === college);
    return (kind === 'timetable' ? own?.timetableRows : own?.gradeRows) ?? 0;
  };
  const uploadedText = (rows: number, students: number, at: string | null) => (at ? <>{fill(t.rowsStudents, { rows, students })}<br /><Typography.Text type="secondary">{fill(t.uploadedAt, { time: formatBeijingTime(at, lang) })}</Typography.Text></> : <Typography.Text type="secondary">{t.notUploaded}</Typography.Text>);
  const columns: TableColumnsType<Term> = [
    { title: t.term, key: 'term', render: (_, term) => <><strong>{termTitle(term.code, lang)}</strong><br /><Typography.Text type="secondary">{term.code}</Typography.Text></> },
    { title: t.firstMonday, dataIndex: 'firstMonday' },
    { title: t.weeks, dataIndex: 'weeks' },
    { title: t.timetable, key: 'timetable', render: (_, term) => <span data-testid="academic-timetable-count">{uploadedText(term.timetableRows, term.timetableStudents, term.timetableUploadedAt)}</span> },
    { title: t.grades, key: 'grades', render: (_, term) => <span data-testid="academic-grades-count">{uploadedText(term.gradeRows, term.gradeStudents, term.gradesUploadedAt)}</span> },
    {
      key: 'upload',
      render: (_, term) => (
        <Space orientation="vertical">
          <Space>
            <FileUpload schoolId={schoolId} termCode={term.code} college={college} kind="timetable" onProblems={setProblems} />
            <ClearButton schoolId={schoolId} termCode={term.code} college={college} kind="timetable" rows={rowsIn(term, 'timetable')} />
          </Space>
          <Space>
            <FileUpload schoolId={schoolId} termCode={term.code} college={college} kind="grades" onProblems={setProblems} />
            <ClearButton schoolId={schoolId} termCode={term.code} college={college} kind="grades" rows={rowsIn(term, 'grades')} />
          </Space>
        </Space>
      ),
    },
  ];
  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t.terms} size="small">
        <Typography.Paragraph type="secondary">{t.intro}</Typography.Paragraph>
        <Space style={{ marginBottom: 12 }} wrap>
          <span>{t.scope}</span>
          <Select<string>
            value={college ?? ''}
            onChange={(v) => setCollege(v === '' ? null : v)}
            style={{ minWidth: 220 }}
            options={[{ value: '', label: t.wholeTerm }, ...(terms.data?.colleges ?? []).map((c) => ({ value: c, label: c }))]}
            data-testid="academic-scope"
          />
          <Typography.Text type="secondary">{college === null ? t.scopeWholeHelp : fill(t.scopeCollegeHelp, { college })}</Typography.Text>
        </Space>
        {terms.isError && <LoadError error={terms.error} onRetry={() => void terms.refetch()} />}
        {problems && (
          <Alert
            type="error"
            showIcon
            closable={{ onClose: () => setProblems(null) }}
            style={{ marginBottom: 12 }}
            data-testid="academic-file-problems"
            title={fill(t.fileProblems, { n: problems.count })}
            description={
              <List size="small" dataSource={problems.rows} renderItem={(p) => (
                <List.Item data-testid="academic-file-problem">{fill(t.row, { row: p.row })}：{lang === 'en' ? p.messageEn : p.message}</List.Item>
              )} />
            }
          />
        )}
        <Table<Term> rowKey="code" size="small" loading={terms.isPending} columns={columns} dataSource={terms.data?.items ?? []} pagination={false} locale={{ emptyText: t.noTerms }} data-testid="academic-terms" />
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>{t.timetableColumns}<br />{t.gradeColumns}</Typography.Paragraph>
      </Card>
      <AddTerm schoolId={schoolId} />
    </Space>
  );
}

function useRefreshTerms() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: termsKey });
}

/** The query of an upload or clear: the school, and the 院系 when one is chosen. */
const scopeQuery = (schoolId: string, college: string | null) => `schoolId=${schoolId}${college === null ? '' : `&college=${encodeURIComponent(college)}`}`;

/**
 * 清空课表 / 清空成绩 of the term (or of the chosen 院系's students), after a confirmation that names
 * the term, the scope and the rows it removes; the existing DELETE, audited on the server.
 */
function ClearButton({ schoolId, termCode, college, kind, rows }: { schoolId: string; termCode: string; college: string | null; kind: Kind; rows: number }) {
  const t = useMessages(academicAdminMessages);
  const { lang } = useLang();
  const admin = useAdminApi();
  const { message, modal } = App.useApp();
  const refresh = useRefreshTerms();
  const what = kind === 'timetable' ? t.timetable : t.grades;
  const clear = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => admin.mutate<Cleared>('DELETE', `${path}/${termCode}/${kind}?${scopeQuery(schoolId, college)}`, undefined, idempotencyKey),
    actionOf: () => `clear|${kind}|${termCode}|${college ?? ''}`,
    onSuccess: async (done) => {
      void message.success(fill(t.cleared, { kind: what, rows: done.removedRows }));
      await refresh();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  // Mid-sentence in English: "the timetable".
  const inSentence = lang === 'en' ? what.toLowerCase() : what;
  const confirm = () => modal.confirm({
    title: fill(t.clearTitle, { kind: inSentence }),
    content: <span data-testid="academic-clear-confirm">{fill(college === null ? t.clearWhole : t.clearCollege, { term: termTitle(termCode, lang), college: college ?? '', kind: inSentence, rows })}</span>,
    okText: t.clearOk,
    okButtonProps: { danger: true, 'data-testid': 'academic-clear-ok' } as never,
    onOk: () => clear.mutateAsync().catch(() => undefined),
  });
  return (
    <Button size="small" danger disabled={rows === 0} loading={clear.isPending} onClick={confirm} data-testid={`academic-clear-${kind}`}>
      {kind === 'timetable' ? t.clearTimetable : t.clearGrades}
    </Button>
  );
}

/** A CSV of the term's timetable or grades: it replaces what is there (the whole term's, or the chosen 院系's), or nothing is written and the bad rows are listed. */
function FileUpload({ schoolId, termCode, college, kind, onProblems }: { schoolId: string; termCode: string; college: string | null; kind: Kind; onProblems(problems: { count: number; rows: FileProblem[] } | null): void }) {
  const t = useMessages(academicAdminMessages);
  const { lang } = useLang();
  const admin = useAdminApi();
  const { message } = App.useApp();
  const refresh = useRefreshTerms();
  const upload = useIdempotentMutation({
    mutationFn: (file: File, idempotencyKey) => admin.upload<Uploaded>('PUT', `${path}/${termCode}/${kind}/file?${scopeQuery(schoolId, college)}`, file, 'text/csv', { 'idempotency-key': idempotencyKey }),
    actionOf: (file) => `${kind}|${termCode}|${college ?? ''}|${file.name}|${file.size}|${file.lastModified}`,
    onSuccess: async (done) => {
      onProblems(null);
      const what = kind === 'timetable' ? t.timetable : t.grades;
      void message.success(done.changed ? fill(t.uploaded, { kind: what, rows: done.rows, students: done.students }) : fill(t.unchanged, { kind: what }));
      await refresh();
    },
    onError: (error) => {
      if (error instanceof ApiError && error.code === 'ACADEMIC_UPLOAD_INVALID') {
        const details = error.details as { problems: FileProblem[]; problemCount: number };
        onProblems({ count: details.problemCount, rows: details.problems });
      } else {
        onProblems(null);
        void message.error(errorText(error, lang));
      }
    },
  });
  return (
    <Upload accept=".csv,text/csv" showUploadList={false} beforeUpload={(file) => { upload.mutate(file); return Upload.LIST_IGNORE; }}>
      <Button size="small" loading={upload.isPending} data-testid={`academic-upload-${kind}`}>{upload.isPending ? t.uploading : kind === 'timetable' ? t.uploadTimetable : t.uploadGrades}</Button>
    </Upload>
  );
}

/** 登记学期: the term's code, the Monday of its first week and its number of teaching weeks (a known code is corrected). */
function AddTerm({ schoolId }: { schoolId: string }) {
  const t = useMessages(academicAdminMessages);
  const { lang } = useLang();
  const admin = useAdminApi();
  const { message } = App.useApp();
  const refresh = useRefreshTerms();
  const [form] = Form.useForm<{ code: string; firstMonday: string; weeks: number }>();
  const save = useIdempotentMutation({
    mutationFn: (values: { code: string; firstMonday: string; weeks: number }, idempotencyKey) =>
      admin.mutate('PUT', `${path}/${encodeURIComponent(values.code.trim())}?schoolId=${schoolId}`, { firstMonday: values.firstMonday, weeks: values.weeks }, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.saved);
      form.resetFields();
      await refresh();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  return (
    <Card title={t.addTerm} size="small">
      <Form form={form} layout="inline" initialValues={{ weeks: 18 }} onFinish={(values) => save.mutate(values)} data-testid="academic-add-term">
        <Form.Item name="code" label={t.termCode} tooltip={t.termCodeHelp} rules={[{ required: true, pattern: /^\d{4}-\d{4}-[1-3]$/, message: t.termCodeHelp }]}>
          <Input placeholder="2026-2027-1" style={{ width: 140 }} data-testid="academic-term-code" />
        </Form.Item>
        <Form.Item name="firstMonday" label={t.firstMonday} rules={[{ required: true }]}>
          <Input type="date" data-testid="academic-first-monday" />
        </Form.Item>
        <Form.Item name="weeks" label={t.weeks} rules={[{ required: true }]}>
          <InputNumber min={1} max={30} data-testid="academic-weeks" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="academic-save-term">{t.save}</Button>
      </Form>
    </Card>
  );
}
