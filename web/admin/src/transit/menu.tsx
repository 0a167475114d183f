import { ApiOutlined, AuditOutlined } from '@ant-design/icons';
import { useMessages } from '../../../shared/i18n.js';
import type { Me } from '../../../shared/session.js';
import { isOperator } from '../scope.js';
import { transitAdminMessages } from './messages.js';

/** The console's transit screens (terminals, per-card reconciliation): operators only, as the API is. */
export function useTransitMenu(me: Me) {
  const t = useMessages(transitAdminMessages);
  if (!isOperator(me)) return [];
  return [
    { key: '/transit/terminals', icon: <ApiOutlined />, label: t.menuTerminals },
    { key: '/transit/reconciliation', icon: <AuditOutlined />, label: t.menuReconciliation },
  ];
}
