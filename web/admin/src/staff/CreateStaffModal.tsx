import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, Modal, Select } from 'antd';
import { fill, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { labelOf, messages } from '../messages.js';
import { SchoolSelect } from '../SchoolSelect.js';
import type { CreateStaffRequest, Staff } from '../types.js';
import { staffMessages } from './messages.js';

const roles: CreateStaffRequest['role'][] = ['school_admin', 'operator', 'kiosk'];

/** Operators create card managers (with their school), other operators and kiosks. */
export function CreateStaffModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useMessages(staffMessages);
  const common = useMessages(messages);
  const { message } = App.useApp();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<CreateStaffRequest>();
  const role = Form.useWatch('role', form);
  const create = useIdempotentMutation({
    mutationFn: (body: CreateStaffRequest, idempotencyKey) => admin.mutate<Staff>('POST', '/staff', body, idempotencyKey),
    onSuccess: (staff) => {
      void message.success(fill(t.staffCreated, { username: staff.username }));
      void queryClient.invalidateQueries({ queryKey: ['/admin/staff'] });
      form.resetFields();
      onClose();
    },
  });
  const close = () => {
    create.reset();
    onClose();
  };
  return (
    <Modal open={open} title={t.newStaff} okText={common.create} cancelText={common.cancel} confirmLoading={create.isPending} onOk={() => form.submit()} onCancel={close} destroyOnHidden>
      {create.isError && <LoadError title={common.saveFailed} error={create.error} />}
      <Form<CreateStaffRequest>
        form={form}
        layout="vertical"
        initialValues={{ role: 'school_admin' }}
        onFinish={(values) => create.mutate({ ...values, schoolId: values.role === 'operator' ? null : (values.schoolId ?? null) })}
        data-testid="create-staff-form"
      >
        <Form.Item name="role" label={t.role} rules={[{ required: true }]}>
          <Select data-testid="staff-role" options={roles.map((r) => ({ value: r, label: labelOf(common, 'role', r) }))} />
        </Form.Item>
        {role !== 'operator' && (
          <Form.Item name="schoolId" label={t.school} rules={[{ required: true, message: t.schoolRequired }]}>
            <SchoolSelect allowClear={false} />
          </Form.Item>
        )}
        <Form.Item name="username" label={t.username} extra={t.usernameHelp} rules={[{ required: true, pattern: /^\s*[a-zA-Z0-9_.-]{3,32}\s*$/, message: t.usernameHelp }]}>
          <Input maxLength={32} autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t.displayName} rules={[{ required: true, whitespace: true, max: 64, message: t.displayNameHelp }]}>
          <Input maxLength={64} />
        </Form.Item>
        <Form.Item name="password" label={t.password} extra={t.passwordHelp} rules={[{ required: true, min: 8, max: 128, message: t.passwordHelp }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
