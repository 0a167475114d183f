import { Dialog, Toast } from 'antd-mobile';
import { useMessages } from '../../../shared/i18n.js';
import { useErrorText } from '../ui/text.js';
import { paymentMessages } from './messages.js';
import { useCancelOrder } from './queries.js';

/** 取消订单 after a confirm dialog, told by a toast: the order page's and the payment result's. */
export function useConfirmedCancel(orderId: string) {
  const t = useMessages(paymentMessages);
  const describe = useErrorText();
  const cancel = useCancelOrder(orderId);
  const run = async () => {
    if (!(await Dialog.confirm({ content: t.cancelOrderConfirm, confirmText: t.cancelOrder, cancelText: t.cancel }))) return;
    cancel.mutate(undefined, {
      onSuccess: () => Toast.show({ icon: 'success', content: t.orderCancelled }),
      onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
    });
  };
  return { run, isPending: cancel.isPending };
}
