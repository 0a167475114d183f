import { Card, ErrorBlock, Skeleton } from 'antd-mobile';
import { useMessages } from '../../../shared/i18n.js';
import { useMe } from '../../../shared/session.js';
import { messages } from '../messages.js';
import { MoneyEntries } from '../payments/MoneyEntries.js';
import { LoadFailed } from './LoadFailed.js';
import { Page } from './Page.js';

export function HomePage() {
  const t = useMessages(messages);
  const me = useMe();

  return (
    <Page title={t.appName}>
      <Card style={{ marginBottom: 12 }}>
        {me.isPending ? (
          <Skeleton.Paragraph lineCount={2} animated />
        ) : me.isError ? (
          <LoadFailed error={me.error} onRetry={() => void me.refetch()} />
        ) : (
          <>
            <div className="greeting">{t.hello.replace('{name}', me.data.displayName)}</div>
            <div className="muted">{me.data.schoolName ?? (me.data.role === 'parent' ? t.role_parent : t.noSchool)}</div>
          </>
        )}
      </Card>
      {me.isSuccess && (me.data.role === 'student' || me.data.role === 'parent') && <MoneyEntries />}
      <Card>
        <ErrorBlock status="empty" title={t.noNews} description={t.noNewsHint} />
      </Card>
    </Page>
  );
}
