import { ToolOutlined } from '@ant-design/icons';
import { useMessages } from '../../../shared/i18n.js';
import { campusAdminMessages } from './messages.js';

/** The console's campus entries: 网上报修, for operators and the schools' card managers. */
export function useCampusMenu() {
  const t = useMessages(campusAdminMessages);
  return [{ key: '/campus/repairs', icon: <ToolOutlined />, label: t.menuRepairs }];
}
