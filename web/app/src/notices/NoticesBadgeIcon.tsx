import { NotificationOutlined } from '@ant-design/icons';
import { Badge } from 'antd-mobile';
import { useUnreadNotices } from './queries.js';

/** The home page's 消息公告 icon, with the number of notices not yet opened. */
export function NoticesBadgeIcon() {
  const unread = useUnreadNotices();
  const count = unread.isSuccess ? unread.data : 0;
  return (
    <span data-testid="home-notices-badge" data-count={unread.isSuccess ? unread.data : undefined}>
      <Badge content={count > 0 ? (count > 99 ? '99+' : count) : null}>
        <NotificationOutlined />
      </Badge>
    </span>
  );
}
