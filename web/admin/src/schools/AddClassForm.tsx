import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, InputNumber } from 'antd';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { classesKey } from '../useClasses.js';
import type { ClassRow, CreateClassRequest } from '../types.js';
import { schoolMessages } from './messages.js';

/** One line: grade 1–12 and a class number; CLASS_EXISTS and the like come back as a message. */
export function AddClassForm({ schoolId }: { schoolId: string }) {
  const t = useMessages(schoolMessages);
  const { lang } = useLang();
  const { message } = App.useApp();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CreateClassRequest>();
  const add = useIdempotentMutation({
    mutationFn: (body: CreateClassRequest, idempotencyKey) => admin.mutate<ClassRow>('POST', `/admin/schools/${schoolId}/classes`, body, idempotencyKey),
    onSuccess: () => {
      void message.success(t.classAdded);
      form.resetFields(['classNo']);
      void queryClient.invalidateQueries({ queryKey: classesKey(schoolId) });
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  return (
    <Form<CreateClassRequest> form={form} layout="inline" onFinish={(values) => add.mutate({ grade: values.grade, classNo: values.classNo.trim() })} data-testid="add-class-form">
      <Form.Item name="grade" label={t.grade} rules={[{ required: true, message: t.required }]}>
        <InputNumber min={1} max={12} precision={0} style={{ width: 80 }} />
      </Form.Item>
      <Form.Item name="classNo" label={t.classNo} tooltip={t.classNoHelp} rules={[{ required: true, pattern: /^\s*\d{1,3}\s*$/, message: t.classNoHelp }]}>
        <Input maxLength={3} style={{ width: 80 }} />
      </Form.Item>
      <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={add.isPending}>
        {t.addClass}
      </Button>
    </Form>
  );
}
