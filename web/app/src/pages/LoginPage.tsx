import { useMutation } from '@tanstack/react-query';
import { Button, Form, Input, Tabs, Toast } from 'antd-mobile';
import { useState } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { useSession } from '../../../shared/session.js';
import { cardMessages } from '../cards/messages.js';
import { cardPaths } from '../cards/paths.js';
import { LangToggle } from '../LangToggle.js';
import { messages } from '../messages.js';
import type { LoginKind } from '../ui/loginKind.js';
import { useErrorText } from '../ui/text.js';

interface Credentials {
  login: string;
  password: string;
}

interface LoginState {
  from?: string;
  /** Set by "find my education ID": the student tab opens with it filled in. */
  educationId?: string;
}

/** What each tab asks for: the account field, its check, and the hint about the first password. */
function useFields(kind: LoginKind) {
  const t = useMessages(messages);
  switch (kind) {
    case 'student':
      return { label: t.educationId, placeholder: t.educationIdPlaceholder, pattern: /^\d{8}$/, invalid: t.educationIdInvalid, maxLength: 8, numeric: true,
        passwordLabel: t.password, passwordPlaceholder: t.passwordPlaceholder, passwordHint: t.studentPasswordHint, passwordPattern: undefined };
    case 'parent':
      return { label: t.phone, placeholder: t.phonePlaceholder, pattern: /^1\d{10}$/, invalid: t.phoneInvalid, maxLength: 11, numeric: true,
        passwordLabel: t.password, passwordPlaceholder: t.passwordPlaceholder, passwordHint: t.parentPasswordHint, passwordPattern: undefined };
    case 'campus':
      return { label: t.campusLogin, placeholder: t.campusLoginPlaceholder, pattern: /^[0-9A-Za-z]{4,18}$/, invalid: t.campusLoginPlaceholder, maxLength: 18, numeric: false,
        passwordLabel: t.campusPassword, passwordPlaceholder: t.campusPasswordPlaceholder, passwordHint: t.campusPasswordHint, passwordPattern: /^\d{6}$/ };
  }
}

export function LoginPage() {
  const t = useMessages(messages);
  const cardText = useMessages(cardMessages);
  const describe = useErrorText();
  const { token, signIn } = useSession();
  const location = useLocation();
  const state = (location.state ?? {}) as LoginState;
  const [kind, setKind] = useState<LoginKind>('student');
  const [form] = Form.useForm<Credentials>();
  const fields = useFields(kind);

  const login = useMutation({
    mutationFn: (values: Credentials) => {
      return signIn({ as: kind, login: values.login.trim(), password: values.password });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error), duration: 3000 }),
  });

  if (token) {
    return <Navigate to={state.from && state.from !== '/login' ? state.from : '/'} replace />;
  }

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
          activeKey={kind}
          onChange={(key) => {
            setKind(key as LoginKind);
            form.resetFields();
          }}
        >
          <Tabs.Tab key="student" title={t.student} />
          <Tabs.Tab key="parent" title={t.parent} />
          <Tabs.Tab key="campus" title={t.campus} />
        </Tabs>
        <Form
          form={form}
          layout="vertical"
          initialValues={{ login: state.educationId ?? '' }}
          onFinish={(values) => login.mutate(values)}
          footer={
            <Button block type="submit" color="primary" size="large" loading={login.isPending} data-testid="login-submit">
              {t.signIn}
            </Button>
          }
        >
          <Form.Item name="login" label={fields.label} rules={[{ required: true, message: fields.placeholder }, { pattern: fields.pattern, message: fields.invalid }]}>
            <Input inputMode={fields.numeric ? 'numeric' : 'text'} autoComplete="username" maxLength={fields.maxLength} placeholder={fields.placeholder} clearable />
          </Form.Item>
          <Form.Item
            name="password"
            label={fields.passwordLabel}
            description={fields.passwordHint}
            rules={[{ required: true, message: t.passwordRequired }, ...(fields.passwordPattern ? [{ pattern: fields.passwordPattern, message: t.campusPasswordInvalid }] : [])]}
          >
            <Input type="password" autoComplete="current-password" placeholder={fields.passwordPlaceholder} {...(kind === 'campus' ? { inputMode: 'numeric' as const, maxLength: 6 } : {})} />
          </Form.Item>
        </Form>
      </div>
      <div className="login-links">
        <Link to="/forgot-password" state={{ kind }}>
          {t.forgotPassword}
        </Link>
        <span className="divider" aria-hidden>
          |
        </span>
        <Link to="/find-education-id">{t.findEducationId}</Link>
        <span className="divider" aria-hidden>
          |
        </span>
        <Link to={cardPaths.statusQuery} data-testid="login-status-query">
          {cardText.statusQuery}
        </Link>
      </div>
    </div>
  );
}
