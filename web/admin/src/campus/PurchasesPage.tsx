import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Tag, Tooltip, type TableColumnsType } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import { formatYuan } from '../../../../src/domain/money.js';
import type { canteenPurchaseSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { errorText, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { fill } from '../payments/messages.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable } from '../ServerTable.js';
import { campusAdminMessages } from './messages.js';

type Purchase = z.infer<typeof canteenPurchaseSchema>;
const path = '/admin/campus/purchases';

/**
 * 食堂消费: a university's canteen purchases, newest first, found by card number (an operator
 * picks the school, or sees all). A purchase the till could no longer undo is refunded here to
 * the card, once, with the reason (退款).
 */
export function PurchasesPage() {
  const t = useMessages(campusAdminMessages);
  const { lang } = useLang();
  const operator = isOperator(useConsoleUser());
  const { mutate } = useAdminApi();
  const { message } = App.useApp();
  const client = useQueryClient();
  const [refunding, setRefunding] = useState<Purchase | null>(null);
  const [form] = Form.useForm<{ reason: string }>();
  const refund = useIdempotentMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }, idempotencyKey) => mutate<Purchase>('POST', `${path}/${id}/refund`, { reason }, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.refundDone);
      setRefunding(null);
      await client.invalidateQueries({ queryKey: [path] });
    },
    onError: async (error) => {
      void message.error(errorText(error, lang));
      // Refunded meanwhile (the till's 撤销, a colleague): show the row as it is now.
      await client.invalidateQueries({ queryKey: [path] });
    },
  });

  const columns: TableColumnsType<Purchase> = [
    { title: t.paidAt, dataIndex: 'at', render: (at: string) => formatBeijingTime(at, lang) },
    ...(operator ? [{ title: t.school, dataIndex: 'schoolName' }] : []),
    { title: t.merchant, dataIndex: 'merchant' },
    { title: t.terminal, dataIndex: 'terminalCode', render: (code: string) => <span className="mono">{code}</span> },
    { title: t.student, dataIndex: 'studentNameMasked' },
    { title: t.cardNo, dataIndex: 'cardNoMasked', render: (no: string) => <span className="mono">{no}</span> },
    { title: t.amount, dataIndex: 'amountFen', align: 'right', render: (fen: number) => <span className="mono">{formatYuan(fen)}</span> },
    { title: t.method, dataIndex: 'method', render: (m: Purchase['method']) => t[`method_${m}`] },
    {
      title: t.actions, key: 'actions',
      render: (_, row) =>
        row.refundedAt ? (
          <Tooltip title={`${formatBeijingTime(row.refundedAt, lang)}${row.refundReason ? ` · ${row.refundReason}` : ''}`}>
            <Tag data-testid="purchase-refunded">{t.refunded}</Tag>
          </Tooltip>
        ) : (
          <Button size="small" danger onClick={() => { form.resetFields(); setRefunding(row); }} data-testid="purchase-refund">{t.refund}</Button>
        ),
    },
  ];

  return (
    <>
      <ServerTable<Purchase>
        testId="purchases-table" title={t.purchases} path={path} schoolFilter={operator} emptyText={t.noPurchases} columns={columns}
        filterParam="cardNo" filterPlaceholder={t.cardNoSearch} filterMaxLength={19}
      />
      <Modal
        open={refunding !== null}
        title={t.refundTitle}
        okText={t.refund}
        okButtonProps={{ danger: true }}
        confirmLoading={refund.isPending}
        onCancel={() => setRefunding(null)}
        onOk={() =>
          void form.validateFields().then(
            (values) => refunding && refund.mutate({ id: refunding.id, reason: values.reason.trim() }),
            () => undefined, // the form shows what is wrong
          )
        }
      >
        {refunding && <p>{fill(t.refundHelp, { amount: formatYuan(refunding.amountFen), student: refunding.studentNameMasked })}</p>}
        <Form form={form} layout="vertical">
          <Form.Item name="reason" label={t.refundReason} rules={[{ required: true, whitespace: true, message: t.required }, { max: 200 }]}>
            <Input maxLength={200} data-testid="purchase-refund-reason" />
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
