import { AccountBookOutlined, BookOutlined, CalendarOutlined, HomeOutlined, ShopOutlined, ThunderboltOutlined, ToolOutlined } from '@ant-design/icons';
import { useMessages } from '../../../shared/i18n.js';
import type { Me } from '../../../shared/session.js';
import { academicAdminMessages } from './academic-messages.js';
import { billAdminMessages } from './bill-messages.js';
import { libraryAdminMessages } from './library-messages.js';
import { campusAdminMessages } from './messages.js';
import { isCampusStage } from '../../../../src/domain/campus-payments.js';


/** The console's campus entries (网上报修, 宿舍与琴房, 宿舍电费, 食堂消费, 图书借阅, 学费缴费), for operators and the card managers of universities. */
export function useCampusMenu(me: Pick<Me, 'role' | 'schoolStage'>) {
  const t = useMessages(campusAdminMessages);
  const library = useMessages(libraryAdminMessages);
  const bills = useMessages(billAdminMessages);
  const academic = useMessages(academicAdminMessages);
  if (me.role !== 'operator' && !isCampusStage(me.schoolStage)) return [];
  return [
    { key: '/campus/repairs', icon: <ToolOutlined />, label: t.menuRepairs },
    { key: '/campus/rooms', icon: <HomeOutlined />, label: t.menuRooms },
    { key: '/campus/electricity', icon: <ThunderboltOutlined />, label: t.menuElectricity },
    { key: '/campus/purchases', icon: <ShopOutlined />, label: t.menuPurchases },
    { key: '/campus/library', icon: <BookOutlined />, label: library.menuLibrary },
    { key: '/campus/bills', icon: <AccountBookOutlined />, label: bills.menuBills },
    { key: '/campus/academic', icon: <CalendarOutlined />, label: academic.menuAcademic },
  ];
}
