import { HomeOutlined, ToolOutlined } from '@ant-design/icons';
import { useMessages } from '../../../shared/i18n.js';
import { campusAdminMessages } from './messages.js';

/** The console's campus entries (网上报修, 宿舍与琴房), for operators and the schools' card managers. */
export function useCampusMenu() {
  const t = useMessages(campusAdminMessages);
  return [
    { key: '/campus/repairs', icon: <ToolOutlined />, label: t.menuRepairs },
    { key: '/campus/rooms', icon: <HomeOutlined />, label: t.menuRooms },
  ];
}
