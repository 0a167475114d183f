import { BankOutlined, MobileOutlined } from '@ant-design/icons';
import { useMessages } from '../../../shared/i18n.js';
import type { Me } from '../../../shared/session.js';
import { isOperator } from '../scope.js';
import { ecardMessages } from './messages.js';

/** The console's e-card data (supported phones, partner schools): operators only. */
export function useEcardsMenu(me: Me) {
  const t = useMessages(ecardMessages);
  if (!isOperator(me)) return [];
  return [
    { key: '/ecards/phones', icon: <MobileOutlined />, label: t.menuPhones },
    { key: '/ecards/partners', icon: <BankOutlined />, label: t.menuPartners },
  ];
}
