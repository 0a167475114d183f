import { CreditCardOutlined, HomeOutlined, UserOutlined } from '@ant-design/icons';
import { TabBar } from 'antd-mobile';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useMessages } from '../../shared/i18n.js';
import { messages } from './messages.js';

/** The signed-in frame: the page and the tab bar (the initial password is dealt with before this). */
export function Shell() {
  const t = useMessages(messages);
  const navigate = useNavigate();
  const { pathname } = useLocation();

  const tabs = [
    { key: '/', title: t.home, icon: <HomeOutlined /> },
    { key: '/cards', title: t.cards, icon: <CreditCardOutlined /> },
    { key: '/me', title: t.me, icon: <UserOutlined /> },
  ];

  return (
    <div className="app-frame">
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
