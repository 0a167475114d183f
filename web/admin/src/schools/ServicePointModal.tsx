import { useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, Modal } from 'antd';
import { errorText, fill, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import type { SchoolRow } from '../types.js';
import { schoolMessages } from './messages.js';

/** 服务点: where a university's self-service kiosk is; the app names it on the campus card's page. */
export function ServicePointModal({ school, onClose }: { school: SchoolRow | null; onClose(): void }) {
  const t = useMessages(schoolMessages);
  const { lang } = useLang();
  const { mutate } = useAdminApi();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<{ servicePoint?: string }>();
  const save = useIdempotentMutation({
    mutationFn: ({ id, servicePoint }: { id: string; servicePoint: string | null }, idempotencyKey) => mutate('PUT', `/admin/schools/${id}/service-point`, { servicePoint }, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.servicePointSaved);
      onClose();
      await client.invalidateQueries({ queryKey: ['/admin/schools'] });
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  return (
    <Modal
      open={school !== null}
      title={school && fill(t.servicePointTitle, { school: school.name })}
      confirmLoading={save.isPending}
      onCancel={onClose}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'service-point-ok' } as never}
      onOk={() => void form.validateFields().then((v) => school && save.mutate({ id: school.id, servicePoint: v.servicePoint?.trim() || null }), () => undefined)}
    >
      <Form form={form} layout="vertical" initialValues={{ servicePoint: school?.servicePoint ?? '' }} preserve={false}>
        <Form.Item name="servicePoint" label={t.servicePoint} extra={t.servicePointHelp} rules={[{ max: 60 }]}>
          <Input maxLength={60} data-testid="service-point-input" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
