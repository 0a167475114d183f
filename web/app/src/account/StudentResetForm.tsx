import { useMutation } from '@tanstack/react-query';
import { Form, Toast } from 'antd-mobile';
import { useState } from 'react';
import type { z } from 'zod';
import type { studentResetSchema } from '../../../../src/modules/identity/account.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { newPasswordCodes, NewPasswordFields } from '../ui/PasswordFields.js';
import { errorCode, useErrorText } from '../ui/text.js';
import { IdentityFields } from './IdentityFields.js';
import { accountMessages } from './messages.js';
import { ResetDone } from './ResetDone.js';
import { VerifyFooter } from './VerifyFooter.js';

type StudentReset = z.input<typeof studentResetSchema>;
type Values = StudentReset & { confirmPassword: string };

/** Forgot password, student: name + ID number + birth date as registered, then a new password. */
export function StudentResetForm() {
  const t = useMessages(accountMessages);
  const api = useApi();
  const describe = useErrorText();
  const [form] = Form.useForm<Values>();
  const [notVerified, setNotVerified] = useState(false);

  const reset = useMutation({
    mutationFn: ({ name, idNumber, birthDate, newPassword }: Values) =>
      api.post<void>('/password-resets/student', { name: name.trim(), idNumber: idNumber.trim().toUpperCase(), birthDate, newPassword } satisfies StudentReset, { auth: false }),
    // The ID number is not kept on screen after it has done its job.
    onSuccess: () => form.resetFields(),
    onError: (error) => {
      const code = errorCode(error);
      setNotVerified(code === 'IDENTITY_NOT_VERIFIED');
      if (code && newPasswordCodes.has(code)) form.setFields([{ name: 'newPassword', errors: [describe(error)] }]);
      else if (code !== 'IDENTITY_NOT_VERIFIED') Toast.show({ icon: 'fail', content: describe(error) });
    },
  });

  if (reset.isSuccess) return <ResetDone />;
  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={(values) => reset.mutate(values)}
      onValuesChange={() => setNotVerified(false)}
      footer={<VerifyFooter notVerified={notVerified} label={t.submitReset} loading={reset.isPending} testId="reset-submit" />}
    >
      <Form.Header>{t.studentResetIntro}</Form.Header>
      <IdentityFields />
      <NewPasswordFields />
    </Form>
  );
}
