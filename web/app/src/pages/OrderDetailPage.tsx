import { ErrorBlock, Skeleton } from 'antd-mobile';
import { useParams } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { OrderCardRow } from '../payments/CardSummary.js';
import { InvoiceSection } from '../payments/InvoiceSection.js';
import { paymentMessages } from '../payments/messages.js';
import { OrderSheet } from '../payments/OrderSheet.js';
import { PayPanel } from '../payments/PayPanel.js';
import { useOrder } from '../payments/queries.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode } from '../ui/text.js';
import { LoadFailed } from './LoadFailed.js';

/**
 * One order: the fee order page of seed 000 (or a simpler top-up page), with 支付 / 继续支付,
 * 已完成支付 and 取消订单 while unpaid, and the e-invoice once a top-up is complete. (The cashiers
 * return to the payment result page, not here: the app asks for that return path.)
 */
export function OrderDetailPage() {
  const t = useMessages(paymentMessages);
  const { orderId = '' } = useParams();
  const order = useOrder(orderId);

  // 缴费确认 only while the fee waits to be paid: once paid, cancelled or expired it is the order's details.
  const title = order.data?.kind === 'top_up' ? t.topUpOrderTitle : order.data?.kind === 'fee' && order.data.pending ? t.feeOrderTitle : t.orderDetail;
  return (
    <SubPage title={title} backTo="/orders">
      {order.isPending ? (
        <Skeleton.Paragraph lineCount={8} animated />
      ) : order.isError ? (
        errorCode(order.error) === 'ORDER_NOT_FOUND' ? (
          <ErrorBlock status="empty" title={t.orderNotFound} description={null} />
        ) : (
          <LoadFailed error={order.error} onRetry={() => void order.refetch()} />
        )
      ) : (
        <>
          <OrderSheet order={order.data} extra={order.data.cardId && <OrderCardRow cardId={order.data.cardId} />} />
          {order.data.pending && <PayPanel order={order.data} />}
          {order.data.kind === 'top_up' && (order.data.status === 'fulfilled' || order.data.status === 'refunded') && <InvoiceSection order={order.data} />}
        </>
      )}
    </SubPage>
  );
}
