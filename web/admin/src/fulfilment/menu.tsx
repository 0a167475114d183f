import { AuditOutlined, CarOutlined, FileDoneOutlined, PrinterOutlined } from '@ant-design/icons';
import { useMessages } from '../../../shared/i18n.js';
import type { Me } from '../../../shared/session.js';
import { isOperator } from '../scope.js';
import { fulfilmentMessages } from './messages.js';

/** The console's fulfilment entries: batches are the operators' alone. */
export function useFulfilmentMenu(me: Me) {
  const t = useMessages(fulfilmentMessages);
  return [
    { key: '/fulfilment/confirmations', icon: <FileDoneOutlined />, label: t.menuConfirmations },
    { key: '/fulfilment/applications', icon: <AuditOutlined />, label: t.menuApplications },
    ...(isOperator(me) ? [{ key: '/fulfilment/batches', icon: <PrinterOutlined />, label: t.menuBatches }] : []),
    { key: '/fulfilment/deliveries', icon: <CarOutlined />, label: t.menuDeliveries },
  ];
}
