import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, Modal, Radio, Switch } from 'antd';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { ClassSelect } from '../ClassSelect.js';
import { LoadError } from '../LoadError.js';
import { labelOf, messages } from '../messages.js';
import { SchoolSelect } from '../SchoolSelect.js';
import type { CreateStudentRequest } from '../types.js';
import { classesKey } from '../useClasses.js';
import { studentMessages } from './messages.js';

type Values = CreateStudentRequest & { schoolId?: string };

interface CreateStudentModalProps {
  open: boolean;
  /** The school of the list; an operator may pick another. */
  schoolId: string | undefined;
  operator: boolean;
  onClose: () => void;
  onCreated: (studentId: string) => void;
}

/**
 * One student by hand. The server checks the ID number's check digit, that the birth date
 * matches it, the education ID's format and that it is free; its message shows above the form.
 */
export function CreateStudentModal({ open, schoolId, operator, onClose, onCreated }: CreateStudentModalProps) {
  const t = useMessages(messages);
  const s = useMessages(studentMessages);
  const { message } = App.useApp();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<Values>();
  const chosenSchool = Form.useWatch('schoolId', form) ?? schoolId;

  const create = useIdempotentMutation({
    mutationFn: ({ schoolId: target, ...body }: Values, idempotencyKey) => admin.mutate<{ id: string }>('POST', `/admin/schools/${target}/students`, body, idempotencyKey),
    onSuccess: ({ id }, values) => {
      void message.success(s.studentCreated);
      void queryClient.invalidateQueries({ queryKey: ['/admin/students'] });
      void queryClient.invalidateQueries({ queryKey: classesKey(values.schoolId) });
      form.resetFields();
      onClose();
      onCreated(id);
    },
  });
  const close = () => {
    create.reset();
    onClose();
  };
  const submit = (values: Values) =>
    create.mutate({
      ...values,
      schoolId: operator ? values.schoolId : schoolId,
      classId: values.classId ?? null,
      studentNo: values.studentNo?.trim() || null,
      salaried: values.salaried ?? false,
    });

  return (
    <Modal open={open} title={s.addStudent} okText={t.create} cancelText={t.cancel} confirmLoading={create.isPending} onOk={() => form.submit()} onCancel={close} destroyOnHidden>
      {create.isError && <LoadError title={t.saveFailed} error={create.error} />}
      <Form<Values> form={form} layout="vertical" initialValues={{ schoolId, gender: 'M', salaried: false }} onFinish={submit} data-testid="create-student-form">
        {operator && (
          <Form.Item name="schoolId" label={t.school} rules={[{ required: true, message: t.chooseSchoolFirst }]}>
            <SchoolSelect allowClear={false} />
          </Form.Item>
        )}
        <Form.Item name="educationId" label={s.educationId} rules={[{ required: true, pattern: /^\s*\d{8}\s*$/, message: s.educationIdHelp }]}>
          <Input maxLength={8} inputMode="numeric" />
        </Form.Item>
        <Form.Item name="name" label={s.name} rules={[{ required: true, whitespace: true, max: 32, message: s.required }]}>
          <Input maxLength={32} />
        </Form.Item>
        <Form.Item name="gender" label={s.gender} rules={[{ required: true }]}>
          <Radio.Group options={(['M', 'F'] as const).map((g) => ({ value: g, label: labelOf(t, 'gender', g) }))} />
        </Form.Item>
        <Form.Item name="idNumber" label={s.idNumber} rules={[{ required: true, pattern: /^\s*\d{17}[\dXx]\s*$/, message: s.idNumberHelp }]}>
          <Input maxLength={18} autoComplete="off" />
        </Form.Item>
        <Form.Item name="birthDate" label={s.birthDate} extra={s.birthDateHelp} rules={[{ required: true, pattern: /^\d{4}-\d{2}-\d{2}$/, message: s.birthDateHelp }]}>
          <Input maxLength={10} placeholder="2013-03-05" />
        </Form.Item>
        <Form.Item name="classId" label={t.cls}>
          <ClassSelect schoolId={chosenSchool} placeholder={t.noClass} />
        </Form.Item>
        <Form.Item name="studentNo" label={s.studentNo}>
          <Input maxLength={32} />
        </Form.Item>
        <Form.Item name="salaried" label={s.salaried} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
