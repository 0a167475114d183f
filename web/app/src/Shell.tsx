import { CreditCardOutlined, HomeOutlined, UserOutlined } from '@ant-design/icons';
import { NoticeBar, TabBar } from 'antd-mobile';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useMessages } from '../../shared/i18n.js';
import { useMe } from '../../shared/session.js';
import { messages } from './messages.js';

/** The signed-in frame: a notice when the password must change, the page, the tab bar. */
export function Shell() {
  const t = useMessages(messages);
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const me = useMe();

  const tabs = [
    { key: '/', title: t.home, icon: <HomeOutlined /> },
    { key: '/cards', title: t.cards, icon: <CreditCardOutlined /> },
    { key: '/me', title: t.me, icon: <UserOutlined /> },
  ];

  return (
    <div className="app-frame">
      {me.data?.mustChangePassword && (
        <NoticeBar data-testid="must-change-password" color="alert" wrap content={t.mustChangePassword} />
      )}
      <main className="app-content">
        <Outlet />
      </main>
      <TabBar className="app-tabbar" data-testid="tab-bar" activeKey={pathname} onChange={(key) => navigate(key)}>
        {tabs.map((tab) => (
          <TabBar.Item key={tab.key} icon={tab.icon} title={tab.title} />
        ))}
      </TabBar>
    </div>
  );
}
