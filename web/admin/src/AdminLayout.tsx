import { AccountBookOutlined, CalendarOutlined, ReconciliationOutlined, RollbackOutlined, ScheduleOutlined } from '@ant-design/icons';
import { CreditCardOutlined, FieldTimeOutlined, TagOutlined } from '@ant-design/icons';
import { AuditOutlined, BankOutlined, CloudUploadOutlined, IdcardOutlined, LogoutOutlined, MessageOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Layout, Menu, Result, Space, Spin, Tag, Typography } from 'antd';
import { Suspense } from 'react';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { errorText, useLang, useMessages } from '../../shared/i18n.js';
import { useMe, useSession, type Me } from '../../shared/session.js';
import { LangSwitch } from './LangSwitch.js';
import { labelOf, messages } from './messages.js';
import { canUseConsole } from './roles.js';
import { canReadPayments } from './payments/access.js';
import { isOperator } from './scope.js';
import { pageAppliesTo } from './SchoolKindOnly.js';
import { cardMessages } from './cards/messages.js';
import { useFulfilmentMenu } from './fulfilment/menu.js';
import { useEcardsMenu } from './ecards/menu.js';
import { useTransitMenu } from './transit/menu.js';
import { useCampusMenu } from './campus/menu.js';
import { useNoticesMenu } from './notices/menu.js';

function HeaderBar({ me }: { me: Me }) {
  const t = useMessages(messages);
  const { signOut } = useSession();
  return (
    <Layout.Header className="console-header">
      <Space size="small" data-testid="header-user">
        <UserOutlined />
        <Typography.Text strong>{me.displayName}</Typography.Text>
        <Tag color={me.role === 'operator' ? 'geekblue' : 'green'}>{labelOf(t, 'role', me.role)}</Tag>
        {me.schoolName && <Typography.Text type="secondary">{me.schoolName}</Typography.Text>}
      </Space>
      <LangSwitch />
      <Button icon={<LogoutOutlined />} onClick={() => void signOut()}>
        {t.signOut}
      </Button>
    </Layout.Header>
  );
}

function SiderMenu({ me }: { me: Me }) {
  const t = useMessages(messages);
  const c = useMessages(cardMessages);
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const operator = isOperator(me);
  // Entries of operators-only pages (App.tsx wraps those routes in <OperatorsOnly>) are not shown to card managers.
  const items = [
    { key: '/schools', icon: <BankOutlined />, label: t.schools },
    { key: '/students', icon: <IdcardOutlined />, label: t.students },
    { key: '/roster-imports', icon: <CloudUploadOutlined />, label: t.rosterImport },
    ...(operator
      ? [
          { key: '/staff', icon: <TeamOutlined />, label: t.staff },
          { key: '/sms-outbox', icon: <MessageOutlined />, label: t.smsOutbox },
          { key: '/audit-log', icon: <AuditOutlined />, label: t.auditLog },
        ]
      : []),
    // Money and the calendar (operators; card managers read their school's orders and refunds).
    ...(canReadPayments(me.role) ? [{ key: '/orders', icon: <AccountBookOutlined />, label: t.menuOrders }, { key: '/balance-refunds', icon: <RollbackOutlined />, label: t.menuBalanceRefunds }] : []),
    ...(operator ? [{ key: '/reconciliation', icon: <ReconciliationOutlined />, label: t.menuReconciliation }] : []),
    { key: '/calendar', icon: <CalendarOutlined />, label: t.menuCalendar },
    { key: '/payment-window', icon: <ScheduleOutlined />, label: t.menuPaymentWindow },
    // 公告管理: the card centre's city-wide notices (operators) and each school's.
    ...useNoticesMenu(),
    // Card services: search and detail, the K-12 extension window, temporary cards.
    { key: '/cards', icon: <CreditCardOutlined />, label: c.menuCards },
    { key: '/card-extension-window', icon: <FieldTimeOutlined />, label: c.menuExtensionWindow },
    { key: '/temporary-cards', icon: <TagOutlined />, label: c.menuTemporaryCards },
    // Fulfilment: confirmations, applications, batches (operators), deliveries and pickups.
    ...useFulfilmentMenu(me),
    // E-card data: supported phones, partner schools (operators).
    ...useEcardsMenu(me),
    // Transit: terminals, per-card reconciliation (operators).
    ...useTransitMenu(me),
    ...useCampusMenu(me),
  ].filter((item) => pageAppliesTo(me, item.key)); // a card manager sees only their kind of school's pages (SchoolKindOnly.tsx)
  // A student's page belongs to the students menu entry.
  const selected = items.find((item) => pathname === item.key || pathname.startsWith(`${item.key}/`))?.key ?? pathname;
  return (
    <Layout.Sider breakpoint="lg" collapsedWidth={0} width={208}>
      <div className="console-brand">{t.consoleName}</div>
      <Menu theme="dark" mode="inline" data-testid="sider-menu" selectedKeys={[selected]} items={items} onClick={({ key }) => navigate(key)} />
    </Layout.Sider>
  );
}

/** The signed-in console: menu on the left, who is signed in on top, the page in the middle. */
export function AdminLayout() {
  const t = useMessages(messages);
  const { lang } = useLang();
  const { signOut } = useSession();
  const me = useMe();

  if (me.isPending) return <Spin fullscreen />;
  if (me.isError) {
    return (
      <Result status="error" title={t.loadFailed} subTitle={errorText(me.error, lang)}
        extra={<Button type="primary" onClick={() => void me.refetch()}>{t.retry}</Button>} />
    );
  }
  if (!canUseConsole(me.data.role)) {
    return <Result status="403" title={t.notStaffConsole} extra={<Button onClick={() => void signOut()}>{t.signOut}</Button>} />;
  }
  if (me.data.role === 'school_admin' && !me.data.schoolId) {
    return <Result status="403" title={t.noSchoolAssigned} extra={<Button onClick={() => void signOut()}>{t.signOut}</Button>} />;
  }

  return (
    <Layout style={{ minHeight: '100vh' }}>
      <SiderMenu me={me.data} />
      <Layout>
        <HeaderBar me={me.data} />
        {me.data.mustChangePassword && <Alert banner type="warning" title={t.mustChangePassword} />}
        <Layout.Content style={{ padding: 24 }}>
          {/* Pages are loaded on first visit (App.tsx): the menu and header stay while one loads. */}
          <Suspense fallback={<Spin size="large" className="console-page-loading" />}>
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
