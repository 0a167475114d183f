import { Button, List, Radio, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useMessages } from '../../../shared/i18n.js';
import { errorCode, useErrorText } from '../ui/text.js';
import { chosenGateway, usePayOrder } from './cashier.js';
import { paymentMessages } from './messages.js';
import { PaymentWindowNotice } from './PaymentWindowNotice.js';
import { usePaymentWindow, useConfirmOrder, type Gateway, type Order } from './queries.js';
import { useConfirmedCancel } from './cancel-order.js';
import './payments.css';

export const gateways: readonly Gateway[] = ['alipay', 'wechat'];

/** 支付宝 / 微信 as a radio list. */
export function GatewayChoice({ value, onChange }: { value: Gateway; onChange(gateway: Gateway): void }) {
  const t = useMessages(paymentMessages);
  return (
    <List header={t.choosePayment} className="section" data-testid="gateway-choice">
      <Radio.Group value={value} onChange={(next) => onChange(next as Gateway)}>
        {gateways.map((gateway) => (
          <List.Item key={gateway} extra={<Radio value={gateway} data-testid={`gateway-${gateway}`} />} onClick={() => onChange(gateway)}>
            {gateway === 'alipay' ? t.alipay : t.wechat}
          </List.Item>
        ))}
      </Radio.Group>
    </List>
  );
}

/**
 * An unpaid order's actions: choose Alipay or WeChat Pay, 支付 / 继续支付 (to the cashier),
 * 已完成支付 (the server asks the gateway, never trusting the tap) and 取消订单. A fee can
 * only be paid inside the payment window, so its pay button waits for the window.
 */
export function PayPanel({ order }: { order: Order }) {
  const t = useMessages(paymentMessages);
  const describe = useErrorText();
  // As paid, else as last chosen on this phone (back from the cashier without paying), else Alipay.
  const [gateway, setGateway] = useState<Gateway>(order.gateway ?? chosenGateway(order.id) ?? 'alipay');
  const pay = usePayOrder();
  const confirm = useConfirmOrder(order.id);
  const cancel = useConfirmedCancel(order.id);
  const paymentWindow = usePaymentWindow();
  const fee = order.kind === 'fee';
  const windowShut = fee && !(paymentWindow.isSuccess && paymentWindow.data.open);
  const busy = pay.isPending || confirm.isPending || cancel.isPending;

  const askGateway = () =>
    confirm.mutate(undefined, {
      onSuccess: (answer) => Toast.show(answer.confirmed ? { icon: 'success', content: t.resultSuccess } : { icon: 'fail', content: t.notPaidYet }),
      onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
    });

  const startPaying = () =>
    pay.mutate({ orderId: order.id, gateway }, {
      onError: (error) => {
        // Paid at the gateway before its notification reached us: ask it rather than pay twice.
        if (errorCode(error) === 'ORDER_ALREADY_PAID') askGateway();
        else Toast.show({ icon: 'fail', content: describe(error) });
      },
    });

  return (
    <>
      {fee && <PaymentWindowNotice />}
      <GatewayChoice value={gateway} onChange={setGateway} />
      {order.status === 'paying' && <div className="notice info">{t.payTips}</div>}
      <div className="pay-actions">
        <Button block color="primary" size="large" loading={pay.isPending} disabled={busy || windowShut} onClick={startPaying} data-testid="pay-order">
          {order.status === 'paying' ? t.continuePay : t.pay}
        </Button>
        {order.status === 'paying' && (
          <Button block color="primary" fill="outline" loading={confirm.isPending} disabled={busy} onClick={askGateway} data-testid="confirm-order">
            {t.paymentDone}
          </Button>
        )}
        <Button block fill="none" loading={cancel.isPending} disabled={busy} onClick={() => void cancel.run()} data-testid="cancel-order">
          {t.cancelOrder}
        </Button>
      </div>
    </>
  );
}
