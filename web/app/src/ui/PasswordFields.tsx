import { Form, Input } from 'antd-mobile';
import { useMessages } from '../../../shared/i18n.js';
import { accountMessages } from '../account/messages.js';

/** Server codes that are about the new password: shown under that field, not as a toast. */
export const newPasswordCodes = new Set([
  'PASSWORD_TOO_SHORT', 'PASSWORD_TOO_LONG', 'PASSWORD_TOO_WEAK',
  'PASSWORD_FORMAT', 'PASSWORD_RUN', 'PASSWORD_REPEAT', 'PASSWORD_SAME_AS_INITIAL',
]);

/**
 * New password and its confirmation, with the rule under the field. `campus` is the 6-digit
 * query password; otherwise an account password. The server checks the rule; the form only
 * checks that both entries match.
 */
export function NewPasswordFields({ campus = false }: { campus?: boolean }) {
  const t = useMessages(accountMessages);
  const input = campus ? { inputMode: 'numeric' as const, maxLength: 6 } : { maxLength: 64 };
  return (
    <>
      <Form.Item name="newPassword" label={t.newPassword} description={campus ? t.campusPasswordRule : t.accountPasswordRule} rules={[{ required: true, message: t.required }]}>
        <Input type="password" autoComplete="new-password" placeholder={t.newPasswordPlaceholder} {...input} />
      </Form.Item>
      <Form.Item
        name="confirmPassword"
        label={t.confirmPassword}
        dependencies={['newPassword']}
        rules={[
          { required: true, message: t.required },
          ({ getFieldValue }) => ({
            validator: (_, value) => (!value || value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t.passwordMismatch))),
          }),
        ]}
      >
        <Input type="password" autoComplete="new-password" placeholder={t.confirmPasswordPlaceholder} {...input} />
      </Form.Item>
    </>
  );
}
