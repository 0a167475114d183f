import { List, Tag } from 'antd-mobile';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { accountMessages } from '../account/messages.js';
import { holderTag } from '../ui/labels.js';
import { formatYuan, itemName, statusLabel, statusTone } from './format.js';
import { paymentMessages } from './messages.js';
import type { Order } from './queries.js';
import './payments.css';

/** One order in 我的订单: item, student (school, class, card), time, amount and status. */
export function OrderRow({ order, onClick }: { order: Order; onClick(): void }) {
  const t = useMessages(paymentMessages);
  const a = useMessages(accountMessages);
  const { lang } = useLang();
  // Whose, which card: siblings' masked names are alike.
  const holder = holderTag(a, { ...order.holder, cardNoMasked: order.cardNoMasked });
  return (
    <List.Item
      className="order-row"
      data-testid="order-row"
      data-order-no={order.orderNo}
      onClick={onClick}
      description={
        <>
          <div data-testid="order-holder">{holder ? `${order.studentName} · ${holder}` : order.studentName}</div>
          <div>{formatBeijingTime(order.createdAt, lang)}</div>
        </>
      }
      extra={
        <div style={{ textAlign: 'right' }}>
          <div className="amount">{formatYuan(order.amountFen)}</div>
          <Tag color={statusTone(order)} fill="outline" data-testid="order-status">{statusLabel(t, order)}</Tag>
        </div>
      }
    >
      <div className="order-row-title">
        <span className="order-row-name" data-testid="order-row-name">{itemName(order, lang)}</span>
      </div>
      <div className="muted">{order.autoTopUp ? t.kind_auto_top_up : t[`kind_${order.kind}`]}</div>
    </List.Item>
  );
}
