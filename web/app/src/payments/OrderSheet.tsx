import type { ReactNode } from 'react';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { accountMessages } from '../account/messages.js';
import { holderTag } from '../ui/labels.js';
import { formatYuan, gatewayLabel, itemName, projectName, statusLabel } from './format.js';
import { paymentMessages } from './messages.js';
import type { Order } from './queries.js';
import './payments.css';

function Row({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </>
  );
}

/**
 * A fee order laid out as seed 000's 补卡缴费确认 screen (用户姓名, 收费单位, 订单编号, the item,
 * 项目名称, 收费编码, 收费文件号, 项目状态, 缴费状态, 下单时间, 缴费总额, 合计); a top-up more simply.
 * `extra` rows (the card a top-up fills) go after the order number.
 */
export function OrderSheet({ order, extra }: { order: Order; extra?: ReactNode }) {
  const t = useMessages(paymentMessages);
  const a = useMessages(accountMessages);
  const { lang } = useLang();
  const school = holderTag(a, order.holder);
  const time = (iso: string) => formatBeijingTime(iso, lang);
  const fee = order.kind === 'fee';

  return (
    <div className="order-sheet" data-testid="order-sheet">
      <dl>
        <Row label={t.userName} testId="order-student">{school ? `${order.studentName} · ${school}` : order.studentName}</Row>
        <Row label={fee ? t.payee : t.topUpPayee} testId="order-payee">{order.item.payee}</Row>
        <Row label={t.orderNo} testId="order-no">{order.orderNo}</Row>
        {extra}
      </dl>
      <h2 data-testid="order-item">{itemName(order, lang)}</h2>
      <dl>
        {order.item.projectName && <Row label={t.projectName}>{projectName(order, lang)}</Row>}
        {order.item.feeCode && <Row label={t.feeCode} testId="order-fee-code">{order.item.feeCode}</Row>}
        {order.item.documentNo && <Row label={t.documentNo} testId="order-document-no">{order.item.documentNo}</Row>}
        {order.projectStatus && <Row label={t.projectStatus} testId="order-project-status">{lang === 'en' ? order.projectStatus.en : order.projectStatus.zh}</Row>}
        <Row label={fee ? t.payStatus : t.orderStatus} testId="order-status">{statusLabel(t, order)}</Row>
        <Row label={t.createdAt}>{time(order.createdAt)}</Row>
        {order.pending && <Row label={t.expiresAt}>{time(order.expiresAt)}</Row>}
        {order.paidAt && <Row label={t.paidAt}>{time(order.paidAt)}</Row>}
        {order.gateway && order.paidAt && <Row label={t.gatewayLabel}>{gatewayLabel(t, order.gateway)}</Row>}
        {order.gatewayTradeNo && <Row label={t.gatewayTradeNo}>{order.gatewayTradeNo}</Row>}
        {order.closedAt && !order.paidAt && <Row label={t.closedAt}>{time(order.closedAt)}</Row>}
        <Row label={fee ? t.totalAmount : t.topUpAmount}>{formatYuan(order.amountFen)}</Row>
        {order.refundedFen > 0 && <Row label={t.refunded}>{formatYuan(order.refundedFen)}</Row>}
        {order.lateRefundFen > 0 && <Row label={t.lateRefund} testId="order-late-refund">{formatYuan(order.lateRefundFen)}</Row>}
      </dl>
      {order.lateRefundFen > 0 && <p className="muted" data-testid="order-late-refund-note">{t.lateRefundNote}</p>}
      <div className="order-total">
        <span>{t.sum}</span>
        <span className="amount" data-testid="order-amount">{formatYuan(order.amountFen)}</span>
      </div>
    </div>
  );
}
