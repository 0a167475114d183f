import { DownloadOutlined, LockOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Dialog, List, Skeleton } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { langs, useLang, useMessages, type Lang } from '../../../shared/i18n.js';
import { useMe, useSession, type Me } from '../../../shared/session.js';
import { ChildrenSection } from '../account/ChildrenSection.js';
import { accountMessages } from '../account/messages.js';
import { messages } from '../messages.js';
import { isCampusSession } from '../ui/loginKind.js';
import { StudentPhoto } from '../ui/StudentPhoto.js';
import { LoadFailed } from './LoadFailed.js';
import { Page } from './Page.js';

const langNames: Record<Lang, string> = { 'zh-CN': '中文', en: 'English' };

/** Who is signed in, as the server masks it: name, account, school; a student's card photo. */
function Profile({ me }: { me: Me }) {
  const t = useMessages(messages);
  const roleName = me.role === 'student' ? t.role_student : me.role === 'parent' ? t.role_parent : t.role_staff;
  const avatar = me.role === 'student' ? <StudentPhoto studentId={me.id} width={56} /> : <div className="student-photo placeholder round"><UserOutlined style={{ fontSize: 28 }} /></div>;
  return (
    <List className="section">
      <List.Item prefix={avatar} description={roleName}>
        <span className="profile-name" data-testid="me-name">{me.displayName}</span>
      </List.Item>
      <List.Item extra={<span data-testid="me-account">{me.login}</span>}>{t.account}</List.Item>
      {me.schoolName && <List.Item extra={me.schoolName}>{t.school}</List.Item>}
    </List>
  );
}

function AccountLinks({ me }: { me: Me }) {
  const t = useMessages(accountMessages);
  const navigate = useNavigate();
  const campus = me.role === 'student' && isCampusSession(me);
  return (
    <List className="section">
      <List.Item prefix={<LockOutlined />} onClick={() => navigate('/me/password')}>
        {campus ? t.changeQueryPassword : t.changePassword}
      </List.Item>
      {me.role === 'student' && (
        <List.Item prefix={<TeamOutlined />} onClick={() => navigate('/me/parents')} data-testid="bind-parent-entry">
          {t.bindParent}
        </List.Item>
      )}
      {(me.role === 'student' || me.role === 'parent') && (
        <List.Item prefix={<DownloadOutlined />} onClick={() => navigate('/me/data-export')} data-testid="data-export-entry">
          {t.dataExport}
        </List.Item>
      )}
    </List>
  );
}

function LanguageSetting() {
  const t = useMessages(messages);
  const { lang, setLang } = useLang();
  return (
    <List className="section">
      <List.Item
        extra={
          <SingleSelector
            columns={2}
            showCheckMark={false}
            value={[lang]}
            options={langs.map((value) => ({ value, label: langNames[value] }))}
            onChange={([next]) => next && setLang(next)}
            style={{ '--padding': '4px 12px' }}
          />
        }
      >
        {t.language}
      </List.Item>
    </List>
  );
}

export function MePage() {
  const t = useMessages(messages);
  const me = useMe();
  const { signOut } = useSession();
  const [signingOut, setSigningOut] = useState(false);

  const confirmSignOut = async () => {
    if (!(await Dialog.confirm({ content: t.signOutConfirm }))) return;
    setSigningOut(true);
    await signOut();
  };

  return (
    <Page title={t.me}>
      {me.isPending ? (
        <Skeleton.Paragraph lineCount={3} animated />
      ) : me.isError ? (
        <LoadFailed error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        <>
          <Profile me={me.data} />
          {me.data.role === 'parent' && <ChildrenSection />}
          <AccountLinks me={me.data} />
        </>
      )}
      <LanguageSetting />
      <Button block color="danger" fill="outline" style={{ marginTop: 24 }} loading={signingOut} onClick={() => void confirmSignOut()}>
        {t.signOut}
      </Button>
    </Page>
  );
}
