import { useMutation } from '@tanstack/react-query';
import { Button, Form, Input, NoticeBar, Toast } from 'antd-mobile';
import { useNavigate } from 'react-router';
import type { z } from 'zod';
import type { changePasswordSchema } from '../../../../src/modules/identity/account.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { useApi, useMe, useRefreshMe, useSession } from '../../../shared/session.js';
import { accountMessages } from '../account/messages.js';
import { LangToggle } from '../LangToggle.js';
import { messages } from '../messages.js';
import { isCampusSession } from '../ui/loginKind.js';
import { newPasswordCodes, NewPasswordFields } from '../ui/PasswordFields.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, useErrorText } from '../ui/text.js';

type ChangePassword = z.infer<typeof changePasswordSchema>;
interface Values extends ChangePassword {
  confirmPassword: string;
}

/**
 * Changes the signed-in person's password; in a campus session the 6-digit query password.
 * `forced`: shown instead of the app while the initial password is in force, with no way past
 * it but changing the password or signing out.
 */
export function ChangePasswordPage({ forced = false }: { forced?: boolean }) {
  const t = useMessages(accountMessages);
  const common = useMessages(messages);
  const api = useApi();
  const { signOut } = useSession();
  const refreshMe = useRefreshMe();
  const navigate = useNavigate();
  const describe = useErrorText();
  const [form] = Form.useForm<Values>();
  // Shown only once GET /me has answered (SignedIn waits for it), so the session's kind is known.
  const me = useMe();
  const campus = me.data !== undefined && isCampusSession(me.data);

  const change = useMutation({
    mutationFn: ({ currentPassword, newPassword }: Values) => api.post<void>('/me/password', { currentPassword, newPassword } satisfies ChangePassword),
    onSuccess: async () => {
      form.resetFields();
      Toast.show({ icon: 'success', content: t.passwordChanged });
      await refreshMe();
      if (!forced) navigate('/me', { replace: true });
    },
    onError: (error) => {
      const code = errorCode(error);
      const field = code === 'PASSWORD_WRONG' ? 'currentPassword' : code && newPasswordCodes.has(code) ? 'newPassword' : null;
      if (field) form.setFields([{ name: field, errors: [describe(error)] }]);
      else Toast.show({ icon: 'fail', content: describe(error) });
    },
  });

  const title = campus ? t.changeQueryPassword : forced ? t.mustChangeTitle : t.changePassword;
  return (
    <SubPage title={title} backTo={forced ? undefined : '/me'} right={forced ? <LangToggle /> : undefined}>
      {forced && <NoticeBar data-testid="must-change-password" color="alert" wrap content={t.mustChangeIntro} style={{ marginBottom: 12, borderRadius: 8 }} />}
      <div className="form-card">
        <Form
          form={form}
          layout="vertical"
          onFinish={(values) => change.mutate(values)}
          footer={
            <Button block type="submit" color="primary" size="large" loading={change.isPending} data-testid="change-password-submit">
              {t.submitPasswordChange}
            </Button>
          }
        >
          <Form.Item name="currentPassword" label={t.currentPassword} description={forced ? t.currentPasswordInitialHint : undefined} rules={[{ required: true, message: t.required }]}>
            <Input type="password" autoComplete="current-password" placeholder={t.currentPasswordPlaceholder} />
          </Form.Item>
          <NewPasswordFields campus={campus} />
        </Form>
      </div>
      {forced && (
        <Button block fill="none" style={{ marginTop: 12 }} onClick={() => void signOut()}>
          {common.signOut}
        </Button>
      )}
    </SubPage>
  );
}
