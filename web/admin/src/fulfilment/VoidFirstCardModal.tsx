import { Alert, Form, Input, Modal, Typography } from 'antd';
import { useState } from 'react';
import { ApiError } from '../../../shared/api.js';
import { errorText, fill, useLang, useMessages } from '../../../shared/i18n.js';
import { fulfilmentMessages } from './messages.js';
import type { Application } from './types.js';
import { useFulfilmentAction } from './useAction.js';

/** Refusals that mean the card is no longer one to void (someone voided or handed it over, or the student is back): the list is refreshed behind. */
const takenCodes = new Set(['FULFILMENT_STATUS_INVALID', 'FULFILMENT_HOLDER_STILL_ENROLLED']);

/**
 * 作废: a first card delivered to the school for a student no longer enrolled there (left,
 * graduated, moved) is voided with a reason by the school's card manager or an operator; it is
 * never handed over. Mounted per application, so every opening starts with a clean form. A refusal
 * stays in the modal, and the list behind it is refreshed.
 */
export function VoidFirstCardModal({ application, onClose }: { application: Application; onClose(): void }) {
  const t = useMessages(fulfilmentMessages);
  const { lang } = useLang();
  const [form] = Form.useForm<{ reason: string }>();
  const [error, setError] = useState<Error | null>(null);
  const send = useFulfilmentAction<Application>(() => t.voided, setError);
  const code = error instanceof ApiError ? error.code : undefined;

  const submit = ({ reason }: { reason: string }) => {
    setError(null);
    send.mutate({ path: `/admin/fulfilment/applications/${application.id}/void`, body: { reason: reason.trim() } }, { onSuccess: onClose });
  };

  return (
    <Modal
      open
      title={fill(t.voidTitle, { student: application.studentNameMasked })}
      okText={t.voidSubmit}
      cancelText={t.cancel}
      confirmLoading={send.isPending}
      onOk={() => void form.validateFields().then(submit, () => undefined)}
      onCancel={onClose}
      okButtonProps={{ danger: true, 'data-testid': 'void-submit' } as never}
    >
      <div data-testid="void-modal">
        <Typography.Paragraph type="secondary">{t.voidIntro}</Typography.Paragraph>
        <Form form={form} layout="vertical">
          <Form.Item name="reason" label={t.voidReason} rules={[{ required: true, whitespace: true, min: 2, max: 200, message: t.voidReasonRequired }]}>
            <Input.TextArea maxLength={200} showCount autoSize={{ minRows: 2 }} placeholder={t.voidReasonPlaceholder} data-testid="void-reason" />
          </Form.Item>
        </Form>
        {error && (
          <Alert type="error" showIcon title={errorText(error, lang)} description={code && takenCodes.has(code) ? t.voidTaken : undefined} data-testid="void-error" data-code={code} />
        )}
      </div>
    </Modal>
  );
}
