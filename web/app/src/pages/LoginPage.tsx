import { useMutation } from '@tanstack/react-query';
import { Button, Form, Input, Tabs, Toast } from 'antd-mobile';
import { useState } from 'react';
import { Navigate, useLocation } from 'react-router';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { useSession } from '../../../shared/session.js';
import { LangToggle } from '../LangToggle.js';
import { messages } from '../messages.js';

type Audience = 'student' | 'parent';
interface Credentials {
  login: string;
  password: string;
}

export function LoginPage() {
  const t = useMessages(messages);
  const { lang } = useLang();
  const { token, signIn } = useSession();
  const location = useLocation();
  const [audience, setAudience] = useState<Audience>('student');
  const [form] = Form.useForm<Credentials>();

  const login = useMutation({
    mutationFn: (values: Credentials) => signIn({ as: audience, login: values.login.trim(), password: values.password }),
    onError: (error) => Toast.show({ icon: 'fail', content: errorText(error, lang) }),
  });

  if (token) {
    const from = (location.state as { from?: string } | null)?.from;
    return <Navigate to={from && from !== '/login' ? from : '/'} replace />;
  }

  const isStudent = audience === 'student';
  return (
    <div className="login-page">
      <div className="lang-switch">
        <LangToggle />
      </div>
      <div className="login-brand">
        <h1>{t.appName}</h1>
        <p>{t.tagline}</p>
      </div>
      <div className="login-card">
        <Tabs
          activeKey={audience}
          onChange={(key) => {
            setAudience(key as Audience);
            form.resetFields();
          }}
        >
          <Tabs.Tab key="student" title={t.student} />
          <Tabs.Tab key="parent" title={t.parent} />
        </Tabs>
        <Form
          form={form}
          layout="vertical"
          onFinish={(values) => login.mutate(values)}
          footer={
            <Button block type="submit" color="primary" size="large" loading={login.isPending} data-testid="login-submit">
              {t.signIn}
            </Button>
          }
        >
          <Form.Item
            name="login"
            label={isStudent ? t.educationId : t.phone}
            rules={[
              { required: true, message: isStudent ? t.educationIdPlaceholder : t.phonePlaceholder },
              isStudent ? { pattern: /^\d{8}$/, message: t.educationIdInvalid } : { pattern: /^1\d{10}$/, message: t.phoneInvalid },
            ]}
          >
            <Input
              inputMode="numeric"
              autoComplete="username"
              maxLength={isStudent ? 8 : 11}
              placeholder={isStudent ? t.educationIdPlaceholder : t.phonePlaceholder}
              clearable
            />
          </Form.Item>
          <Form.Item
            name="password"
            label={t.password}
            description={isStudent ? t.studentPasswordHint : t.parentPasswordHint}
            rules={[{ required: true, message: t.passwordRequired }]}
          >
            <Input type="password" autoComplete="current-password" placeholder={t.passwordPlaceholder} />
          </Form.Item>
        </Form>
      </div>
    </div>
  );
}
