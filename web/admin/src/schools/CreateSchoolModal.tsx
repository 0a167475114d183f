import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, Modal, Select } from 'antd';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { labelOf, messages } from '../messages.js';
import type { CreateSchoolRequest } from '../types.js';
import { schoolMessages } from './messages.js';

const stages: CreateSchoolRequest['stage'][] = ['primary', 'middle', 'high', 'vocational', 'university'];

/** Operators add a school: code, name, stage, district. */
export function CreateSchoolModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useMessages(schoolMessages);
  const common = useMessages(messages);
  const { message } = App.useApp();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CreateSchoolRequest>();
  const create = useIdempotentMutation({
    mutationFn: (body: CreateSchoolRequest, idempotencyKey) => admin.mutate<{ id: string }>('POST', '/admin/schools', body, idempotencyKey),
    onSuccess: () => {
      void message.success(t.schoolCreated);
      void queryClient.invalidateQueries({ queryKey: ['/admin/schools'] });
      form.resetFields();
      onClose();
    },
  });
  return (
    <Modal
      open={open}
      title={t.newSchool}
      okText={common.create}
      cancelText={common.cancel}
      confirmLoading={create.isPending}
      onOk={() => form.submit()}
      onCancel={() => {
        create.reset();
        onClose();
      }}
      destroyOnHidden
    >
      {create.isError && <LoadError title={common.saveFailed} error={create.error} />}
      <Form<CreateSchoolRequest>
        form={form}
        layout="vertical"
        onFinish={(values) => create.mutate({ ...values, district: values.district?.trim() || null })}
      >
        <Form.Item name="code" label={common.code} extra={t.codeHelp} rules={[{ required: true, pattern: /^[A-Za-z0-9-]{2,32}$/, message: t.codeHelp }]}>
          <Input maxLength={32} />
        </Form.Item>
        <Form.Item name="name" label={common.name} rules={[{ required: true, min: 2, max: 64, message: t.nameHelp }]}>
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item name="stage" label={common.stage} rules={[{ required: true, message: t.required }]}>
          <Select options={stages.map((s) => ({ value: s, label: labelOf(common, 'stage', s) }))} />
        </Form.Item>
        <Form.Item name="district" label={common.district}>
          <Input maxLength={32} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
