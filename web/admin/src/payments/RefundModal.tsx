import { App, Descriptions, Form, Input, InputNumber, Modal } from 'antd';
import { useState } from 'react';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { messages } from '../messages.js';
import { fill, payLabel, paymentMessages } from './messages.js';
import { formatFen, yuanToFen } from './money.js';
import type { AdminOrderDetail, Refund } from './types.js';
import { useOrderChanged } from './useOrder.js';

interface RefundForm {
  amountYuan: string;
  reason: string;
}

/**
 * An operator refunds a paid order, wholly or in part, back through its gateway: amount and
 * reason first, then a confirmation naming the amount, the gateway and the order. The request
 * carries an Idempotency-Key, so a retried click cannot refund twice.
 */
export function RefundModal({ detail, open, onClose }: { detail: AdminOrderDetail; open: boolean; onClose: () => void }) {
  const p = useMessages(paymentMessages);
  const t = useMessages(messages);
  const { lang } = useLang();
  const { message, modal } = App.useApp();
  const admin = useAdminApi();
  const changed = useOrderChanged(detail.order.id);
  const [form] = Form.useForm<RefundForm>();
  const [confirming, setConfirming] = useState(false);
  const max = formatFen(detail.refundableFen);
  const refund = useIdempotentMutation({
    mutationFn: (body: { amountFen: number; note: string }, idempotencyKey) => admin.mutate<Refund>('POST', `/admin/orders/${detail.order.id}/refunds`, body, idempotencyKey),
    onSuccess: async (done) => {
      void message.success(fill(p.refundDone, { amount: formatFen(done.amountFen) }));
      form.resetFields();
      onClose();
      await changed();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });

  const submit = ({ amountYuan, reason }: RefundForm) => {
    const amountFen = yuanToFen(amountYuan);
    if (amountFen === null) return;
    setConfirming(true);
    modal.confirm({
      title: p.refundConfirmTitle,
      content: fill(p.refundConfirmBody, { amount: formatFen(amountFen), gateway: payLabel(p, 'gateway', detail.order.gateway ?? ''), orderNo: detail.order.orderNo }),
      okText: p.refundConfirmOk,
      okButtonProps: { danger: true, 'data-testid': 'refund-confirm-ok' } as never,
      cancelText: t.cancel,
      onOk: () => refund.mutateAsync({ amountFen, note: reason.trim() }).catch(() => undefined),
      afterClose: () => setConfirming(false),
    });
  };

  const close = () => {
    refund.reset();
    onClose();
  };

  return (
    <Modal
      open={open}
      title={p.refundTitle}
      okText={p.refundNext}
      cancelText={t.cancel}
      okButtonProps={{ danger: true, disabled: confirming, 'data-testid': 'refund-next' } as never}
      confirmLoading={refund.isPending}
      onOk={() => form.submit()}
      onCancel={close}
      destroyOnHidden
    >
      {refund.isError && <LoadError title={p.refundFailed} error={refund.error} />}
      <Descriptions size="small" column={1} style={{ marginBottom: 16 }} items={[
        { key: 'orderNo', label: p.orderNo, children: detail.order.orderNo },
        { key: 'paid', label: p.amount, children: formatFen(detail.order.amountFen) },
        { key: 'refundable', label: p.refundable, children: <strong data-testid="refundable">{max}</strong> },
        { key: 'gateway', label: p.gateway, children: payLabel(p, 'gateway', detail.order.gateway ?? '') },
      ]} />
      <Form<RefundForm> form={form} layout="vertical" initialValues={{ amountYuan: (detail.refundableFen / 100).toFixed(2) }} onFinish={submit} data-testid="refund-form">
        <Form.Item
          name="amountYuan"
          label={p.refundAmount}
          extra={fill(p.refundAmountHelp, { max })}
          rules={[{
            validator: (_, value: string | number | null) => {
              const fen = yuanToFen(value);
              return fen !== null && fen <= detail.refundableFen ? Promise.resolve() : Promise.reject(new Error(fill(p.refundAmountInvalid, { max })));
            },
          }]}
        >
          <InputNumber<string> stringMode min="0.01" step="0.01" precision={2} style={{ width: '100%' }} data-testid="refund-amount" />
        </Form.Item>
        <Form.Item name="reason" label={p.refundReason} rules={[{ required: true, whitespace: true, min: 2, max: 200, message: p.refundReasonRequired }]}>
          <Input.TextArea rows={3} maxLength={200} showCount placeholder={p.refundReasonPlaceholder} data-testid="refund-reason" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
