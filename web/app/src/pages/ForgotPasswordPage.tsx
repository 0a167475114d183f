import { Tabs } from 'antd-mobile';
import { useState } from 'react';
import { useLocation } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { accountMessages } from '../account/messages.js';
import { ParentResetForm } from '../account/ParentResetForm.js';
import { StudentResetForm } from '../account/StudentResetForm.js';
import { LangToggle } from '../LangToggle.js';
import { messages } from '../messages.js';
import type { LoginKind } from '../ui/loginKind.js';
import { SubPage } from '../ui/SubPage.js';

/** Forgot password, without signing in: a tab per kind of account, opened on the sign-in tab's kind. */
export function ForgotPasswordPage() {
  const t = useMessages(accountMessages);
  const common = useMessages(messages);
  const location = useLocation();
  const [kind, setKind] = useState<LoginKind>((location.state as { kind?: LoginKind } | null)?.kind ?? 'student');

  return (
    <SubPage title={t.resetTitle} backTo="/login" right={<LangToggle />}>
      <div className="form-card">
        <Tabs activeKey={kind} onChange={(key) => setKind(key as LoginKind)}>
          <Tabs.Tab key="student" title={common.student} />
          <Tabs.Tab key="parent" title={common.parent} />
          <Tabs.Tab key="campus" title={common.campus} />
        </Tabs>
        {kind === 'student' && <StudentResetForm />}
        {kind === 'parent' && <ParentResetForm />}
        {kind === 'campus' && <p className="note">{t.campusResetNote}</p>}
      </div>
    </SubPage>
  );
}
