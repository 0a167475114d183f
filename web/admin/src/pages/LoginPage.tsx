import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { Navigate, useLocation } from 'react-router';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { useSession } from '../../../shared/session.js';
import { LangSwitch } from '../LangSwitch.js';
import { messages } from '../messages.js';
import { canUseConsole } from '../roles.js';

interface Credentials {
  username: string;
  password: string;
}

class NotConsoleUser extends Error {}

export function LoginPage() {
  const t = useMessages(messages);
  const { lang } = useLang();
  const { token, signIn, signOut } = useSession();
  const location = useLocation();

  const login = useMutation({
    mutationFn: async ({ username, password }: Credentials) => {
      const session = await signIn({ as: 'staff', login: username.trim(), password });
      if (!canUseConsole(session.user.role)) {
        await signOut();
        throw new NotConsoleUser();
      }
      return session;
    },
  });

  if (token && !login.isPending) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && !from.startsWith('/login') ? from : '/'} replace />;
  }

  const failure = login.error instanceof NotConsoleUser ? t.notStaffConsole : login.error ? errorText(login.error, lang) : null;
  return (
    <div className="login-screen">
      <Card className="login-panel" title={t.consoleName} extra={<LangSwitch />}>
        <Typography.Paragraph type="secondary">{t.consoleTagline}</Typography.Paragraph>
        {failure && (
          <Alert
            type="error"
            showIcon
            style={{ marginBottom: 16 }}
            title={failure}
            data-testid="login-error"
          />
        )}
        <Form<Credentials> layout="vertical" requiredMark={false} onFinish={(values) => login.mutate(values)} disabled={login.isPending}>
          <Form.Item name="username" label={t.username} rules={[{ required: true, message: t.usernameRequired }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item name="password" label={t.password} rules={[{ required: true, message: t.passwordRequired }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={login.isPending}>
            {t.signIn}
          </Button>
        </Form>
      </Card>
    </div>
  );
}
