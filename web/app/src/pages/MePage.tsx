import { UserOutlined } from '@ant-design/icons';
import { Button, Dialog, List, Selector, Skeleton } from 'antd-mobile';
import { useState } from 'react';
import { langs, useLang, useMessages, type Lang } from '../../../shared/i18n.js';
import { useMe, useSession, type Me } from '../../../shared/session.js';
import { messages } from '../messages.js';
import { LoadFailed } from './LoadFailed.js';
import { Page } from './Page.js';

const langNames: Record<Lang, string> = { 'zh-CN': '中文', en: 'English' };

function Profile({ me }: { me: Me }) {
  const t = useMessages(messages);
  const roleName = me.role === 'student' ? t.role_student : me.role === 'parent' ? t.role_parent : t.role_staff;
  return (
    <List>
      <List.Item prefix={<UserOutlined style={{ fontSize: 28, color: '#1677ff' }} />} description={roleName}>
        <span data-testid="me-name">{me.displayName}</span>
      </List.Item>
      <List.Item extra={me.login}>{t.account}</List.Item>
      {me.schoolName && <List.Item extra={me.schoolName}>{t.school}</List.Item>}
    </List>
  );
}

function LanguageSetting() {
  const t = useMessages(messages);
  const { lang, setLang } = useLang();
  return (
    <List style={{ marginTop: 12 }}>
      <List.Item
        extra={
          <Selector
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
        <Profile me={me.data} />
      )}
      <LanguageSetting />
      <Button block color="danger" fill="outline" style={{ marginTop: 24 }} loading={signingOut} onClick={() => void confirmSignOut()}>
        {t.signOut}
      </Button>
    </Page>
  );
}
