import { NotificationOutlined } from '@ant-design/icons';
import { useMessages } from '../../../shared/i18n.js';
import { noticeAdminMessages } from './messages.js';

/** The console's 公告管理 entry: every console user (operators write city-wide and any school's notices, a card manager their school's). */
export function useNoticesMenu() {
  const t = useMessages(noticeAdminMessages);
  return [{ key: '/notices', icon: <NotificationOutlined />, label: t.menuNotices }];
}
