import { App, Button, Form, Input, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { abnormalRefundBanks } from '../../../../src/domain/wechat-banks.js';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { messages } from '../messages.js';
import { fill, paymentMessages, type PaymentTexts } from './messages.js';
import { formatFen } from './money.js';
import type { AdminOrderDetail } from './types.js';
import { useOrderChanged } from './useOrder.js';

type AdminRefund = AdminOrderDetail['refunds'][number];
type Action = 'card' | 'offline' | null;

type Application = NonNullable<AdminRefund['abnormal']>;

function applicationWhere(application: Application, p: PaymentTexts, lang: string): string {
  if (application.route === 'merchant_bank_card') return p.whereMerchant;
  const bank = abnormalRefundBanks.find((b) => b.code === application.bankType);
  return fill(p.whereCard, { bank: bank ? (lang === 'en' ? bank.en : bank.zh) : (application.bankType ?? ''), last4: application.accountLast4 ?? '' });
}

/**
 * Where a settled refund went, in words: the bank and last four digits, the merchant account, the
 * offline transfer; an application WeChat has not answered yet; or, first, WeChat's report of a
 * success paid elsewhere than sent (nothing booked: the operator checks before paying anyone).
 */
export function refundWhere(refund: AdminRefund, p: PaymentTexts, lang: string): string {
  if (refund.routeConflict) return fill(p.whereConflict, { account: refund.routeConflict });
  if (refund.offlineReference) return fill(p.whereOffline, { reference: refund.offlineReference });
  const accepted = refund.abnormal ? applicationWhere(refund.abnormal, p, lang) : null;
  const pending = refund.abnormalPending ? fill(p.wherePending, { where: applicationWhere(refund.abnormalPending, p, lang) }) : null;
  return [accepted, pending].filter((w) => w !== null).join('; ') || '—';
}

interface CardForm {
  bankType: string;
  bankAccount: string;
  realName: string;
}

/**
 * An operator settles a refund WeChat Pay gave up on (decision 0012): an ABNORMAL one to the
 * payer's bank card or to the merchant's bank account, the offline transfer of one paid there,
 * a CLOSED one asked again. Each request carries an Idempotency-Key.
 */
export function AbnormalRefundActions({ refund, orderId }: { refund: AdminRefund; orderId: string }) {
  const p = useMessages(paymentMessages);
  const t = useMessages(messages);
  const { lang } = useLang();
  const { message, modal } = App.useApp();
  const admin = useAdminApi();
  const changed = useOrderChanged(orderId);
  const [open, setOpen] = useState<Action>(null);
  const [cardForm] = Form.useForm<CardForm>();
  const [offlineForm] = Form.useForm<{ reference: string }>();
  const amount = formatFen(refund.amountFen);
  const act = useIdempotentMutation({
    mutationFn: ({ path, body }: { path: string; body?: unknown; done: string }, key) => admin.mutate<AdminRefund>('POST', `/admin/refunds/${refund.id}/${path}`, body, key),
    onSuccess: async (_, { done }) => {
      void message.success(done);
      setOpen(null);
      await changed();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  const confirm = (title: string, content: string, okText: string, path: string, done: string, body?: unknown) =>
    modal.confirm({
      title, content, okText, cancelText: t.cancel,
      okButtonProps: { 'data-testid': 'abnormal-confirm-ok' } as never,
      onOk: () => act.mutateAsync({ path, body, done }).catch(() => undefined),
    });

  const abnormal = refund.status === 'failed' && refund.gatewayFailure === 'ABNORMAL' && refund.gateway === 'wechat';
  const closed = refund.status === 'failed' && refund.gatewayFailure === 'CLOSED';
  if (!abnormal && !closed && refund.status !== 'offline_due') return <>—</>;
  return (
    <Space size={4} wrap>
      {abnormal && (
        <>
          <Button size="small" onClick={() => setOpen('card')} data-testid="abnormal-to-card">{p.abnormalToCard}</Button>
          <Button size="small" data-testid="abnormal-to-merchant" onClick={() => confirm(p.abnormalToMerchantTitle, fill(p.abnormalToMerchantBody, { amount }), p.abnormalToMerchant, 'abnormal-refund', p.abnormalSent, { route: 'merchant_bank_card' })}>
            {p.abnormalToMerchant}
          </Button>
        </>
      )}
      {closed && (
        <Button size="small" data-testid="refund-rerequest" onClick={() => confirm(p.rerequestTitle, fill(p.rerequestBody, { amount }), p.rerequest, 'rerequest', p.rerequested)}>
          {p.rerequest}
        </Button>
      )}
      {refund.status === 'offline_due' && <Button size="small" type="primary" onClick={() => setOpen('offline')} data-testid="offline-transfer">{p.offlineTransfer}</Button>}
      <Modal open={open === 'card'} title={p.abnormalToCardTitle} okText={p.abnormalToCard} cancelText={t.cancel} confirmLoading={act.isPending} onOk={() => cardForm.submit()} onCancel={() => setOpen(null)} destroyOnHidden okButtonProps={{ 'data-testid': 'abnormal-card-ok' } as never}>
        {act.isError && <LoadError title={p.refundFailed} error={act.error} />}
        <Typography.Paragraph type="secondary">{p.abnormalToCardHelp}</Typography.Paragraph>
        <Form<CardForm> form={cardForm} layout="vertical" data-testid="abnormal-card-form"
          onFinish={(v) => void act.mutateAsync({ path: 'abnormal-refund', done: p.abnormalSent, body: { route: 'user_bank_card', bankType: v.bankType, bankAccount: v.bankAccount.replace(/\s+/g, ''), realName: v.realName.trim() } }).catch(() => undefined)}>
          <Form.Item name="bankType" label={p.abnormalBank} rules={[{ required: true, message: p.abnormalBankRequired }]}>
            <Select data-testid="abnormal-bank" options={abnormalRefundBanks.map((b) => ({ value: b.code, label: lang === 'en' ? b.en : b.zh }))} />
          </Form.Item>
          <Form.Item name="bankAccount" label={p.abnormalAccount} rules={[{ required: true, pattern: /^\s*(\d\s*){12,19}$/, message: p.abnormalAccountInvalid }]}>
            <Input inputMode="numeric" autoComplete="off" maxLength={25} data-testid="abnormal-account" />
          </Form.Item>
          <Form.Item name="realName" label={p.abnormalName} rules={[{ required: true, whitespace: true, max: 64, message: p.abnormalNameRequired }]}>
            <Input autoComplete="off" maxLength={64} data-testid="abnormal-name" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={open === 'offline'} title={p.offlineTransferTitle} okText={p.offlineTransfer} cancelText={t.cancel} confirmLoading={act.isPending} onOk={() => offlineForm.submit()} onCancel={() => setOpen(null)} destroyOnHidden okButtonProps={{ 'data-testid': 'offline-transfer-ok' } as never}>
        {act.isError && <LoadError title={p.refundFailed} error={act.error} />}
        <Typography.Paragraph type="secondary">{fill(p.offlineTransferHelp, { amount })}</Typography.Paragraph>
        <Form<{ reference: string }> form={offlineForm} layout="vertical" onFinish={(v) => void act.mutateAsync({ path: 'offline-transfer', done: p.offlineRecorded, body: { reference: v.reference.trim() } }).catch(() => undefined)}>
          <Form.Item name="reference" label={p.offlineReference} rules={[{ required: true, whitespace: true, max: 64, message: p.offlineReferenceRequired }]}>
            <Input maxLength={64} data-testid="offline-reference" />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}
