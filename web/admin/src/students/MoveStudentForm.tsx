import { App, Button, Card, Form, Input, Select, Switch, Typography } from 'antd';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { ClassSelect } from '../ClassSelect.js';
import { LoadError } from '../LoadError.js';
import { labelOf, messages } from '../messages.js';
import { SchoolSelect } from '../SchoolSelect.js';
import type { StudentDetail, UpdateStudentRequest } from '../types.js';
import { useClasses } from '../useClasses.js';
import { studentMessages } from './messages.js';
import { statuses } from './StudentFilters.js';
import { useStudentChanged } from './useStudent.js';
import { isCampusStage } from '../../../../src/domain/campus-payments.js';

interface Values {
  schoolId: string;
  classId?: string;
  status: StudentDetail['status'];
  studentNo?: string;
  salaried: boolean;
  college?: string;
  major?: string;
  studyLevel?: StudentDetail['studyLevel'] | 'unknown';
  fullTime?: 'yes' | 'no' | 'unknown';
}

/** Only what differs from the record goes to the server; a new school starts without a class unless one is chosen. */
function changesOf(student: StudentDetail, currentClassId: string | undefined, values: Values): UpdateStudentRequest {
  const change: UpdateStudentRequest = {};
  const classId = values.classId ?? null;
  if (values.schoolId !== student.schoolId) Object.assign(change, { schoolId: values.schoolId, classId });
  else if (classId !== (currentClassId ?? null)) change.classId = classId;
  if (values.status !== student.status) change.status = values.status;
  const studentNo = values.studentNo?.trim() || null;
  if (studentNo !== student.studentNo) change.studentNo = studentNo;
  if (values.salaried !== student.salaried) change.salaried = values.salaried;
  const college = values.college?.trim() || null;
  if (college !== student.college) change.college = college;
  const major = values.major?.trim() || null;
  if (major !== student.major) change.major = major;
  const studyLevel = !values.studyLevel || values.studyLevel === 'unknown' ? null : values.studyLevel;
  if (studyLevel !== student.studyLevel) change.studyLevel = studyLevel;
  const fullTime = !values.fullTime || values.fullTime === 'unknown' ? null : values.fullTime === 'yes';
  if (fullTime !== student.fullTime) change.fullTime = fullTime;
  return change;
}

interface MoveStudentFormProps {
  student: StudentDetail;
  operator: boolean;
}

/** Promotion (another class), transfer (another school: operators) and status, student number, salaried. */
export function MoveStudentForm({ student, operator }: MoveStudentFormProps) {
  const t = useMessages(messages);
  const s = useMessages(studentMessages);
  const { message } = App.useApp();
  const admin = useAdminApi();
  const changed = useStudentChanged(student.id);
  const classes = useClasses(student.schoolId);
  // The detail names the class (grade + number), not its id: find it among the school's classes.
  const currentClassId = classes.data?.find((c) => c.grade === student.grade && c.classNo === student.classNo)?.id;
  const [form] = Form.useForm<Values>();
  const schoolId = Form.useWatch('schoolId', form) ?? student.schoolId;

  const save = useIdempotentMutation({
    mutationFn: (change: UpdateStudentRequest, idempotencyKey) => admin.mutate('PATCH', `/admin/students/${student.id}`, change, idempotencyKey),
    onSuccess: async () => {
      void message.success(s.moved);
      await changed();
    },
  });
  const submit = (values: Values) => {
    const change = changesOf(student, currentClassId, values);
    if (Object.keys(change).length === 0) void message.info(s.nothingChanged);
    else save.mutate(change);
  };

  if (classes.isPending) return <Card title={s.move} loading />;
  return (
    <Card title={s.move}>
      <Typography.Paragraph type="secondary">{s.moveHelp} {!operator && s.transferOperatorOnly}</Typography.Paragraph>
      {classes.isError && <LoadError error={classes.error} onRetry={() => void classes.refetch()} />}
      {save.isError && <LoadError title={t.saveFailed} error={save.error} />}
      <Form<Values>
        key={[student.schoolId, currentClassId, student.status, student.studentNo, student.salaried, student.college, student.major, student.studyLevel, student.fullTime].join('|')}
        form={form}
        layout="vertical"
        initialValues={{ schoolId: student.schoolId, classId: currentClassId, status: student.status, studentNo: student.studentNo ?? '', salaried: student.salaried, college: student.college ?? '', major: student.major ?? '',
          studyLevel: student.studyLevel ?? 'unknown', fullTime: student.fullTime === null ? 'unknown' : student.fullTime ? 'yes' : 'no' }}
        onValuesChange={(changedValues: Partial<Values>) => {
          if ('schoolId' in changedValues) form.setFieldValue('classId', undefined);
        }}
        onFinish={submit}
        data-testid="move-student-form"
      >
        {operator && (
          <Form.Item name="schoolId" label={s.targetSchool} rules={[{ required: true, message: t.chooseSchoolFirst }]}>
            <SchoolSelect allowClear={false} initialLabel={student.schoolName} />
          </Form.Item>
        )}
        <Form.Item name="classId" label={s.targetClass}>
          <ClassSelect schoolId={schoolId} placeholder={t.noClass} />
        </Form.Item>
        <Form.Item name="status" label={s.status}>
          <Select data-testid="move-status" options={statuses.map((status) => ({ value: status, label: labelOf(t, 'status', status) }))} />
        </Form.Item>
        <Form.Item name="studentNo" label={s.studentNo}>
          <Input maxLength={32} />
        </Form.Item>
        <Form.Item name="salaried" label={s.salaried} valuePropName="checked">
          <Switch />
        </Form.Item>
        {isCampusStage(student.stage) && (
          <>
            <Form.Item name="college" label={s.college}>
              <Input maxLength={32} data-testid="move-college" />
            </Form.Item>
            <Form.Item name="major" label={s.major}>
              <Input maxLength={32} data-testid="move-major" />
            </Form.Item>
            {/* 课表查询 and 成绩查询 are for full-time undergraduates (seed 004). */}
            <Form.Item name="studyLevel" label={s.studyLevel}>
              <Select
                data-testid="move-study-level"
                options={(['unknown', 'undergraduate', 'associate', 'postgraduate'] as const).map((level) => ({ value: level, label: level === 'unknown' ? s.notKnown : s[`studyLevel_${level}`] }))}
              />
            </Form.Item>
            <Form.Item name="fullTime" label={s.fullTime}>
              <Select
                data-testid="move-full-time"
                options={[{ value: 'unknown', label: s.notKnown }, { value: 'yes', label: s.fullTime_yes }, { value: 'no', label: s.fullTime_no }]}
              />
            </Form.Item>
          </>
        )}
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {s.moveSave}
        </Button>
      </Form>
    </Card>
  );
}
