import { CopyOutlined, KeyOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { messages } from '../messages.js';
import { transitAdminMessages, type TransitAdminText } from './messages.js';
import { SchoolSelect } from '../SchoolSelect.js';
import { campusTerminalKinds, terminalKinds, type RegisteredTerminal, type RegisterTerminalRequest } from './types.js';

export const terminalsKey = ['transit', 'terminals'] as const;

interface FormValues {
  code: string;
  kind: RegisterTerminalRequest['kind'];
  operator: string;
  location?: string;
  schoolId?: string;
}

/**
 * 登记终端: the server answers with the terminal's secret, the only time it is ever sent. The
 * modal then shows it once, with a copy button and a warning; closing drops it (the mutation is
 * reset, nothing keeps it).
 */
export function RegisterTerminalModal({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useMessages(transitAdminMessages);
  const common = useMessages(messages);
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const kind = Form.useWatch('kind', form);
  const campus = kind !== undefined && campusTerminalKinds.includes(kind);
  const register = useIdempotentMutation({
    mutationFn: (body: RegisterTerminalRequest, idempotencyKey) => admin.mutate<RegisteredTerminal>('POST', '/admin/terminals', body, idempotencyKey),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: terminalsKey }),
  });
  const close = () => {
    register.reset();
    form.resetFields();
    onClose();
  };

  if (register.data) {
    return (
      <Modal
        open={open}
        title={t.secretTitle}
        closable={false}
        maskClosable={false}
        keyboard={false}
        footer={<Button type="primary" onClick={close} data-testid="terminal-secret-done">{t.secretDone}</Button>}
        destroyOnHidden
      >
        <SecretView terminal={register.data} t={t} />
      </Modal>
    );
  }

  return (
    <Modal open={open} title={t.registerTitle} okText={t.register} cancelText={common.cancel} confirmLoading={register.isPending} onOk={() => form.submit()} onCancel={close} destroyOnHidden>
      {register.isError && <LoadError title={common.saveFailed} error={register.error} />}
      <Form<FormValues>
        form={form}
        layout="vertical"
        initialValues={{ kind: 'bus_validator' }}
        data-testid="register-terminal-form"
        onFinish={(values) =>
          register.mutate({ code: values.code.trim(), kind: values.kind, operator: values.operator.trim(), location: values.location?.trim() || null, schoolId: campusTerminalKinds.includes(values.kind) ? (values.schoolId ?? null) : null })
        }
      >
        <Form.Item name="code" label={t.code} extra={t.codeHelp} rules={[{ required: true, pattern: /^\s*[A-Za-z0-9-]{3,32}\s*$/, message: t.codeHelp }]}>
          <Input maxLength={40} autoComplete="off" data-testid="terminal-code" />
        </Form.Item>
        <Form.Item name="kind" label={t.kind} rules={[{ required: true }]}>
          <Select data-testid="terminal-kind" options={terminalKinds.map((value) => ({ value, label: t[`kind_${value}`] }))} />
        </Form.Item>
        {campus && (
          <Form.Item name="schoolId" label={t.school} extra={t.schoolHelp} rules={[{ required: true, message: t.required }]}>
            <SchoolSelect allowClear={false} />
          </Form.Item>
        )}
        <Form.Item name="operator" label={t.operator} extra={t.operatorHelp} rules={[{ required: true, whitespace: true, max: 64, message: t.required }]}>
          <Input maxLength={64} data-testid="terminal-operator" />
        </Form.Item>
        <Form.Item name="location" label={t.location} extra={t.locationHelp} rules={[{ max: 64 }]}>
          <Input maxLength={64} data-testid="terminal-location" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function SecretView({ terminal, t }: { terminal: RegisteredTerminal; t: TransitAdminText }) {
  const { message } = App.useApp();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(terminal.secret);
      void message.success(t.copied);
    } catch {
      void message.error(t.copyFailed);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="terminal-secret-view">
      <Alert type="warning" showIcon title={t.secretWarning} data-testid="terminal-secret-warning" />
      <Typography.Text>
        {t.code}: <Typography.Text strong data-testid="terminal-secret-code">{terminal.code}</Typography.Text>
      </Typography.Text>
      <Space.Compact style={{ width: '100%' }}>
        <Input readOnly prefix={<KeyOutlined />} value={terminal.secret} onFocus={(e) => e.target.select()} className="mono" data-testid="terminal-secret" />
        <Button icon={<CopyOutlined />} onClick={() => void copy()} data-testid="terminal-secret-copy">{t.copy}</Button>
      </Space.Compact>
    </Space>
  );
}
