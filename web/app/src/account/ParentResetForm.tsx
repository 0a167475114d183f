import { useMutation } from '@tanstack/react-query';
import { Button, Form, Input, Toast } from 'antd-mobile';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { parentCodeSchema, parentResetSchema } from '../../../../src/modules/identity/account.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { messages } from '../messages.js';
import { newPasswordCodes, NewPasswordFields } from '../ui/PasswordFields.js';
import { errorCode, fill, useErrorText } from '../ui/text.js';
import { accountMessages } from './messages.js';
import { ResetDone } from './ResetDone.js';

type ParentReset = z.input<typeof parentResetSchema>;
type Values = ParentReset & { confirmPassword: string };
const resendSeconds = 60;

/** Seconds left before another code may be asked for; `start()` begins the wait. */
function useCountdown() {
  const [left, setLeft] = useState(0);
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => setLeft((n) => n - 1), 1000);
    return () => clearTimeout(timer);
  }, [left]);
  return { left, start: () => setLeft(resendSeconds) };
}

/** Forgot password, parent: a text-message code to the phone, then a new password. */
export function ParentResetForm() {
  const t = useMessages(accountMessages);
  const common = useMessages(messages);
  const api = useApi();
  const describe = useErrorText();
  const [form] = Form.useForm<Values>();
  const countdown = useCountdown();

  const sendCode = useMutation({
    mutationFn: (phone: string) => api.post<{ sent: true }>('/password-resets/parent/codes', { phone } satisfies z.input<typeof parentCodeSchema>, { auth: false }),
    onSuccess: () => {
      countdown.start();
      Toast.show({ icon: 'success', content: t.codeSent });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error), duration: 3000 }),
  });

  const reset = useMutation({
    mutationFn: ({ phone, code, newPassword }: Values) => api.post<void>('/password-resets/parent', { phone: phone.trim(), code: code.trim(), newPassword } satisfies ParentReset, { auth: false }),
    onSuccess: () => form.resetFields(),
    onError: (error) => {
      const code = errorCode(error);
      const field = code === 'OTP_INVALID' ? 'code' : code && newPasswordCodes.has(code) ? 'newPassword' : null;
      if (field) form.setFields([{ name: field, errors: [describe(error)] }]);
      else Toast.show({ icon: 'fail', content: describe(error) });
    },
  });

  const requestCode = async () => {
    const { phone } = await form.validateFields(['phone']).catch(() => ({ phone: undefined }));
    if (phone) sendCode.mutate(phone.trim());
  };

  if (reset.isSuccess) return <ResetDone />;
  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={(values) => reset.mutate(values)}
      footer={
        <Button block type="submit" color="primary" size="large" loading={reset.isPending} data-testid="reset-submit">
          {t.submitReset}
        </Button>
      }
    >
      <Form.Header>{t.parentResetIntro}</Form.Header>
      <Form.Item name="phone" label={common.phone} rules={[{ required: true, message: common.phonePlaceholder }, { pattern: /^1\d{10}$/, message: common.phoneInvalid }]}>
        <Input inputMode="numeric" autoComplete="tel" maxLength={11} placeholder={common.phonePlaceholder} />
      </Form.Item>
      <Form.Item
        name="code"
        label={t.smsCode}
        rules={[{ required: true, message: t.required }, { pattern: /^\d{6}$/, message: t.smsCodeInvalid }]}
        extra={
          <Button size="small" color="primary" fill="outline" disabled={countdown.left > 0} loading={sendCode.isPending} onClick={() => void requestCode()} data-testid="send-code">
            {countdown.left > 0 ? fill(t.resendIn, { n: countdown.left }) : t.sendCode}
          </Button>
        }
      >
        <Input inputMode="numeric" autoComplete="one-time-code" maxLength={6} placeholder={t.smsCodePlaceholder} />
      </Form.Item>
      <NewPasswordFields />
    </Form>
  );
}
