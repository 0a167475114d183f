import { FileTextOutlined, WalletOutlined } from '@ant-design/icons';
import { Badge } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { paymentMessages } from './messages.js';
import { moneyPaths } from './paths.js';
import { useOrderListing } from './queries.js';
import './payments.css';

/**
 * The home page's way into the money screens: 充值 and 我的订单 (with the number waiting for
 * payment); `children` are the home page's other services, in the same grid.
 */
export function MoneyEntries({ children }: { children?: ReactNode }) {
  const t = useMessages(paymentMessages);
  const navigate = useNavigate();
  const pending = useOrderListing('pending', 1);
  const waiting = pending.isSuccess ? pending.data.total : 0;
  return (
    <div className="money-entries">
      <button type="button" className="money-entry" onClick={() => navigate(moneyPaths.topUp)} data-testid="home-topup">
        <WalletOutlined />
        <span>{t.topUp}</span>
      </button>
      <button type="button" className="money-entry" onClick={() => navigate(waiting > 0 ? moneyPaths.pendingOrders : moneyPaths.orders)} data-testid="home-orders">
        <Badge content={waiting > 0 ? waiting : null}>
          <FileTextOutlined />
        </Badge>
        <span>{t.myOrders}</span>
      </button>
      {children}
    </div>
  );
}
