import { Alert, Form, Input, Modal, Radio, Typography } from 'antd';
import { useState } from 'react';
import { ApiError } from '../../../shared/api.js';
import { errorText, fill, useLang, useMessages } from '../../../shared/i18n.js';
import { fulfilmentMessages } from './messages.js';
import type { Application, DeliveryChoice } from './types.js';
import { useFulfilmentAction } from './useAction.js';

interface Values {
  method: DeliveryChoice['method'];
  recipient?: string;
  phone?: string;
  address?: string;
}

function choiceOf(values: Values): DeliveryChoice {
  if (values.method === 'school') return { method: 'school' };
  return { method: 'home', recipient: (values.recipient ?? '').trim(), phone: (values.phone ?? '').trim(), address: (values.address ?? '').trim() };
}

/**
 * 重新配送: a home parcel the courier gave up on is back at the card centre; the card manager (own
 * school) or an operator sends the card to the school or home again (the same or a new address).
 * 改为快递到家 (`application.status` delivered): a replacement or sticker waiting at a school its
 * student no longer attends goes home only. Mounted per application, so every opening starts with
 * a clean form. A refusal (someone chose first, 409) stays in the modal, and the list behind it is refreshed.
 */
export function RedeliveryModal({ application, onClose }: { application: Application; onClose(): void }) {
  const t = useMessages(fulfilmentMessages);
  const [form] = Form.useForm<Values>();
  const homeOnly = application.status === 'delivered';
  const method = Form.useWatch('method', form) ?? (homeOnly ? 'home' : 'school');
  const [error, setError] = useState<Error | null>(null);
  const send = useFulfilmentAction<Application>(() => t.redelivered, setError);

  const submit = (values: Values) => {
    setError(null);
    send.mutate({ path: `/fulfilment/applications/${application.id}/redelivery`, body: choiceOf(values) }, { onSuccess: onClose });
  };

  return (
    <Modal
      open
      title={fill(homeOnly ? t.sendHomeTitle : t.redeliverTitle, { student: application.studentNameMasked })}
      okText={homeOnly ? t.sendHome : t.redeliverSubmit}
      cancelText={t.cancel}
      confirmLoading={send.isPending}
      onOk={() => void form.validateFields().then(submit, () => undefined)}
      onCancel={onClose}
      okButtonProps={{ 'data-testid': 'redelivery-submit' } as never}
    >
      <div data-testid="redelivery-modal">
        <Typography.Paragraph type="secondary">{homeOnly ? t.sendHomeIntro : t.redeliverIntro}</Typography.Paragraph>
        <Form form={form} layout="vertical" initialValues={{ method: homeOnly ? 'home' : 'school', address: application.delivery.address ?? '' }}>
          <Form.Item name="method" hidden={homeOnly}>
            <Radio.Group
              data-testid="redelivery-method"
              options={[{ value: 'school', label: t.method_school }, { value: 'home', label: t.method_home }]}
            />
          </Form.Item>
          {method === 'home' && (
            <>
              <Form.Item name="recipient" label={t.recipient} rules={[{ required: true, whitespace: true, message: t.recipientRequired }]}>
                <Input maxLength={32} data-testid="redelivery-recipient" />
              </Form.Item>
              <Form.Item name="phone" label={t.phone} rules={[{ required: true, pattern: /^1\d{10}$/, message: t.phoneInvalid }]}>
                <Input maxLength={11} inputMode="numeric" data-testid="redelivery-phone" />
              </Form.Item>
              <Form.Item name="address" label={t.address} rules={[{ required: true, whitespace: true, min: 5, message: t.addressInvalid }]}>
                <Input.TextArea maxLength={200} autoSize={{ minRows: 2 }} data-testid="redelivery-address" />
              </Form.Item>
            </>
          )}
        </Form>
        {error && <RefusalAlert error={error} />}
      </div>
    </Modal>
  );
}

/** Why the server refused, in the modal; a status refusal almost always means someone else chose first. */
function RefusalAlert({ error }: { error: Error }) {
  const t = useMessages(fulfilmentMessages);
  const { lang } = useLang();
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <Alert
      type="error"
      showIcon
      title={errorText(error, lang)}
      description={code === 'FULFILMENT_STATUS_INVALID' ? t.redeliverTaken : undefined}
      data-testid="redelivery-error"
      data-code={code}
    />
  );
}
