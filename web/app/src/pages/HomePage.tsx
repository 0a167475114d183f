import { AccountBookOutlined, AppstoreOutlined, BookOutlined, CalendarOutlined, SolutionOutlined, CarOutlined, GlobalOutlined, MobileOutlined, QrcodeOutlined, ScheduleOutlined, ThunderboltOutlined, ToolOutlined, TrophyOutlined } from '@ant-design/icons';
import { Card, Skeleton } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { fill, useMessages } from '../../../shared/i18n.js';
import { useMe } from '../../../shared/session.js';
import { academicMessages } from '../campus/academic-messages.js';
import { billMessages } from '../campus/bill-messages.js';
import { libraryMessages } from '../campus/library-messages.js';
import { campusMessages } from '../campus/messages.js';
import { campusPaths, isCampusStage } from '../campus/paths.js';
import { cardMessages } from '../cards/messages.js';
import { cardPaths } from '../cards/paths.js';
import { useCards, useParentChildren } from '../cards/queries.js';
import { ecardMessages } from '../ecards/messages.js';
import { ecardPaths } from '../ecards/paths.js';
import { messages } from '../messages.js';
import { MoneyEntries } from '../payments/MoneyEntries.js';
import { HomeTodos } from '../home/HomeTodos.js';
import { noticeMessages } from '../notices/messages.js';
import { NoticesBadgeIcon } from '../notices/NoticesBadgeIcon.js';
import { noticePaths } from '../notices/paths.js';
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
  const library = useMessages(libraryMessages);
  const bills = useMessages(billMessages);
  const notices = useMessages(noticeMessages);
  const academic = useMessages(academicMessages);
  // The entries follow the cards held, not how the person signed in.
  const cards = useCards().data ?? [];
  const campusCard = me.data?.role === 'student' && cards.some((card) => card.product === 'campus_card' && card.status === 'active');
  // Bills are the university's to its students, payable by Alipay / WeChat Pay with the card lost
  // too, and by a parent for a university child.
  const children = useParentChildren(me.data?.role === 'parent').data ?? [];
  const universityStudent = me.data?.role === 'student' ? isCampusStage(me.data.schoolStage) : children.some((child) => isCampusStage(child.stage));
  const showK12Services = me.data?.role === 'parent' || cards.some((card) => card.product.startsWith('k12_'));

  // The home page's services after 充值 and 我的订单, each shown to those it serves.
  const entries: { shown: boolean; path: string; icon: ReactNode; label: string; testId: string }[] = [
    { shown: true, path: noticePaths.list, icon: <NoticesBadgeIcon />, label: notices.noticesEntry, testId: 'home-notices' },
    { shown: campusCard, path: campusPaths.payCode, icon: <QrcodeOutlined />, label: campus.payCodeEntry, testId: 'home-paycode' },
    { shown: campusCard, path: campusPaths.electricity, icon: <ThunderboltOutlined />, label: campus.electricityEntry, testId: 'home-electricity' },
    { shown: campusCard, path: campusPaths.network, icon: <GlobalOutlined />, label: campus.networkEntry, testId: 'home-network' },
    { shown: campusCard, path: campusPaths.repairs, icon: <ToolOutlined />, label: campus.repairsEntry, testId: 'home-repairs' },
    { shown: campusCard, path: campusPaths.bookings, icon: <ScheduleOutlined />, label: campus.bookingsEntry, testId: 'home-bookings' },
    { shown: campusCard, path: campusPaths.sports, icon: <TrophyOutlined />, label: campus.sportsEntry, testId: 'home-sports' },
    { shown: campusCard, path: campusPaths.library, icon: <BookOutlined />, label: library.libraryEntry, testId: 'home-library' },
    // 课表查询, 成绩查询: full-time undergraduates only (seed 004), the student themself.
    { shown: me.data?.academicRecords === true, path: campusPaths.timetable, icon: <CalendarOutlined />, label: academic.timetableEntry, testId: 'home-timetable' },
    { shown: me.data?.academicRecords === true, path: campusPaths.grades, icon: <SolutionOutlined />, label: academic.gradesEntry, testId: 'home-grades' },
    { shown: universityStudent, path: campusPaths.bills, icon: <AccountBookOutlined />, label: bills.billsEntry, testId: 'home-bills' },
    { shown: showK12Services, path: cardPaths.k12Services, icon: <AppstoreOutlined />, label: c.k12Services, testId: 'home-k12-services' },
    { shown: true, path: ecardPaths.home, icon: <MobileOutlined />, label: e.ecardsTitle, testId: 'home-ecards' },
    { shown: true, path: transitPaths.fares, icon: <CarOutlined />, label: tr.calculatorEntry, testId: 'home-fares' },
  ];

  return (
    <Page title={t.appName}>
      <Card style={{ marginBottom: 12 }}>
        {me.isPending ? (
          <Skeleton.Paragraph lineCount={2} animated />
        ) : me.isError ? (
          <LoadFailed error={me.error} onRetry={() => void me.refetch()} />
        ) : (
          <>
            <div className="greeting">{fill(t.hello, { name: me.data.displayName })}</div>
            <div className="muted">{me.data.schoolName ?? (me.data.role === 'parent' ? t.role_parent : t.noSchool)}</div>
          </>
        )}
      </Card>
      {me.isSuccess && (me.data.role === 'student' || me.data.role === 'parent') && (
        <MoneyEntries>
          {entries.filter((entry) => entry.shown).map((entry) => (
            <button key={entry.testId} type="button" className="money-entry" onClick={() => navigate(entry.path)} data-testid={entry.testId}>
              {entry.icon}
              <span>{entry.label}</span>
            </button>
          ))}
        </MoneyEntries>
      )}
      {me.isSuccess && (me.data.role === 'student' || me.data.role === 'parent') && <HomeTodos />}
    </Page>
  );
}
