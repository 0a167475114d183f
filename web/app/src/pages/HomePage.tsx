import { AppstoreOutlined, CarOutlined, MobileOutlined, QrcodeOutlined, ScheduleOutlined, ThunderboltOutlined, ToolOutlined } from '@ant-design/icons';
import { Card, ErrorBlock, Skeleton } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { useMe } from '../../../shared/session.js';
import { campusMessages } from '../campus/messages.js';
import { campusPaths } from '../campus/paths.js';
import { cardMessages } from '../cards/messages.js';
import { cardPaths } from '../cards/paths.js';
import { useCards } from '../cards/queries.js';
import { ecardMessages } from '../ecards/messages.js';
import { ecardPaths } from '../ecards/paths.js';
import { messages } from '../messages.js';
import { MoneyEntries } from '../payments/MoneyEntries.js';
import { LoadFailed } from './LoadFailed.js';
import { Page } from './Page.js';
import { transitMessages } from '../transit/messages.js';
import { transitPaths } from '../transit/paths.js';

export function HomePage() {
  const t = useMessages(messages);
  const me = useMe();
  const e = useMessages(ecardMessages);
  const navigate = useNavigate();
  const tr = useMessages(transitMessages);
  const c = useMessages(cardMessages);
  const campus = useMessages(campusMessages);
  // The entries follow the cards held, not how the person signed in.
  const cards = useCards().data ?? [];
  const campusCard = me.data?.role === 'student' && cards.some((card) => card.product === 'campus_card' && card.status === 'active');
  const showK12Services = me.data?.role === 'parent' || cards.some((card) => card.product.startsWith('k12_'));

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
      {me.isSuccess && (me.data.role === 'student' || me.data.role === 'parent') && (
        <MoneyEntries>
          {campusCard && (
            <button type="button" className="money-entry" onClick={() => navigate(campusPaths.payCode)} data-testid="home-paycode">
              <QrcodeOutlined />
              <span>{campus.payCodeEntry}</span>
            </button>
          )}
          {campusCard && (
            <button type="button" className="money-entry" onClick={() => navigate(campusPaths.electricity)} data-testid="home-electricity">
              <ThunderboltOutlined />
              <span>{campus.electricityEntry}</span>
            </button>
          )}
          {campusCard && (
            <button type="button" className="money-entry" onClick={() => navigate(campusPaths.repairs)} data-testid="home-repairs">
              <ToolOutlined />
              <span>{campus.repairsEntry}</span>
            </button>
          )}
          {campusCard && (
            <button type="button" className="money-entry" onClick={() => navigate(campusPaths.bookings)} data-testid="home-bookings">
              <ScheduleOutlined />
              <span>{campus.bookingsEntry}</span>
            </button>
          )}
          {showK12Services && (
            <button type="button" className="money-entry" onClick={() => navigate(cardPaths.k12Services)} data-testid="home-k12-services">
              <AppstoreOutlined />
              <span>{c.k12Services}</span>
            </button>
          )}
          <button type="button" className="money-entry" onClick={() => navigate(ecardPaths.home)} data-testid="home-ecards">
            <MobileOutlined />
            <span>{e.ecardsTitle}</span>
          </button>
          <button type="button" className="money-entry" onClick={() => navigate(transitPaths.fares)} data-testid="home-fares">
            <CarOutlined />
            <span>{tr.calculatorEntry}</span>
          </button>
        </MoneyEntries>
      )}
      <Card>
        <ErrorBlock status="empty" title={t.noNews} description={null} />
      </Card>
    </Page>
  );
}
