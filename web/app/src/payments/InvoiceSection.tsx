import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Button, Form, Input, List, Skeleton, Toast } from 'antd-mobile';
import { useState } from 'react';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { errorCode, fill, useErrorText } from '../ui/text.js';
import { beijingDatePlus, formatYuan } from './format.js';
import { paymentMessages } from './messages.js';
import { useInvoice, useServerToday, type Invoice, type Order } from './queries.js';
import './payments.css';

/** The invoice window (domain rules): from the day after payment, for 180 days. */
const invoiceWindowDays = 180;
const taxIdPattern = /^[0-9A-Z]{15,20}$/;

interface InvoiceForm {
  title: string;
  taxId?: string;
}

function IssuedInvoice({ orderId, invoice }: { orderId: string; invoice: Invoice }) {
  const t = useMessages(paymentMessages);
  const { lang } = useLang();
  const api = useApi();
  const describe = useErrorText();
  // The blue invoice, or one of its red-letter invoices (红字发票).
  const download = useMutation({
    mutationFn: async (file: { path: string; name: string }) => ({ blob: await api.getBlob(file.path), name: file.name }),
    onSuccess: ({ blob, name }) => {
      const href = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = href;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  const bluePath = `/orders/${orderId}/invoice.pdf`;
  const redPath = (invoiceNo: string) => `/orders/${orderId}/invoice/red-letters/${invoiceNo}.pdf`;
  const downloading = (path: string) => download.isPending && download.variables?.path === path;

  return (
    <>
      <List.Item extra={<span data-testid="invoice-no">{invoice.invoiceNo}</span>}>{t.invoiceNo}</List.Item>
      <List.Item extra={invoice.title}>{t.invoiceTitle}</List.Item>
      {invoice.taxId && <List.Item extra={invoice.taxId}>{t.invoiceTaxId}</List.Item>}
      <List.Item extra={formatYuan(invoice.amountFen)}>{t.invoiceAmount}</List.Item>
      <List.Item extra={formatBeijingTime(invoice.issuedAt, lang)}>{t.invoiceIssuedAt}</List.Item>
      <List.Item>
        <Button block color="primary" fill="outline" loading={downloading(bluePath)} onClick={() => download.mutate({ path: bluePath, name: `${invoice.invoiceNo}.pdf` })} data-testid="invoice-download">
          {t.invoiceDownload}
        </Button>
      </List.Item>
      {invoice.redLetters.map((red) => (
        <List.Item
          key={red.invoiceNo}
          description={`${red.invoiceNo} · ${formatBeijingTime(red.issuedAt, lang)}`}
          extra={
            <Button size="mini" fill="outline" loading={downloading(redPath(red.invoiceNo))} onClick={() => download.mutate({ path: redPath(red.invoiceNo), name: `${red.invoiceNo}-red.pdf` })}>
              {t.invoiceDownloadShort}
            </Button>
          }
          data-testid="invoice-red-letter"
        >
          {t.invoiceRedLetter} {formatYuan(-red.amountFen)}
        </List.Item>
      ))}
      {invoice.redLetters.length > 0 && <List.Item extra={<span data-testid="invoice-net">{formatYuan(invoice.netAmountFen)}</span>}>{t.invoiceNet}</List.Item>}
    </>
  );
}

/** Why the server refused, in words that name the dates. */
function useInvoiceErrorText() {
  const t = useMessages(paymentMessages);
  const describe = useErrorText();
  return (error: unknown): string => {
    const details = (error as { details?: Record<string, unknown> }).details ?? {};
    if (errorCode(error) === 'INVOICE_NOT_YET' && typeof details.availableFrom === 'string') return fill(t.invoiceNotYet, { date: details.availableFrom });
    if (errorCode(error) === 'INVOICE_WINDOW_PASSED' && typeof details.lastDate === 'string') return fill(t.invoicePassed, { date: details.lastDate });
    return describe(error);
  };
}

function InvoiceRequest({ order }: { order: Order }) {
  const t = useMessages(paymentMessages);
  const api = useApi();
  const { token } = useSession();
  const queryClient = useQueryClient();
  const explain = useInvoiceErrorText();
  const [form] = Form.useForm<InvoiceForm>();
  const [refusal, setRefusal] = useState<string | null>(null);
  const request = useIdempotentMutation({
    mutationFn: (values: InvoiceForm, idempotencyKey) =>
      api.post<Invoice>(`/orders/${order.id}/invoice`, { title: values.title.trim(), ...(values.taxId?.trim() ? { taxId: values.taxId.trim().toUpperCase() } : {}) }, { idempotencyKey }),
    onSuccess: (invoice) => {
      setRefusal(null);
      queryClient.setQueryData(['orders', 'invoice', order.id, token], invoice);
      Toast.show({ icon: 'success', content: t.invoiceIssued });
    },
    onError: (error) => setRefusal(explain(error)),
  });
  const paidAt = order.paidAt ?? order.createdAt;
  const from = beijingDatePlus(paidAt, 1);
  const to = beijingDatePlus(paidAt, invoiceWindowDays);
  const today = useServerToday();
  const rule = (
    <div className="notice info" style={{ margin: 12 }} data-testid="invoice-rule">
      {fill(t.invoiceRule, { from, to })}
    </div>
  );
  // Outside the window the server refuses: say when instead of offering a form that cannot succeed.
  if (today === undefined) return <>{rule}<List.Item><Skeleton.Paragraph lineCount={1} animated /></List.Item></>;
  if (today < from || today > to) {
    return (
      <>
        {rule}
        <List.Item data-testid="invoice-unavailable">{today < from ? fill(t.invoiceAvailableFrom, { date: from }) : fill(t.invoicePassed, { date: to })}</List.Item>
      </>
    );
  }

  return (
    <>
      {rule}
      {refusal && <div className="form-error" style={{ margin: '0 12px 12px' }} role="alert" data-testid="invoice-error">{refusal}</div>}
      <Form
        form={form}
        layout="horizontal"
        onFinish={(values) => request.mutate(values)}
        footer={
          <Button block type="submit" color="primary" loading={request.isPending} data-testid="invoice-request">
            {t.invoiceRequest}
          </Button>
        }
      >
        <Form.Item name="title" label={t.invoiceTitle} rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input placeholder={t.invoiceTitlePlaceholder} maxLength={100} data-testid="invoice-title" />
        </Form.Item>
        <Form.Item
          name="taxId"
          label={t.invoiceTaxId}
          rules={[{ validator: async (_rule, value?: string) => { if (value?.trim() && !taxIdPattern.test(value.trim().toUpperCase())) throw new Error(t.invoiceTaxIdInvalid); } }]}
        >
          <Input placeholder={t.invoiceTaxIdPlaceholder} maxLength={20} />
        </Form.Item>
      </Form>
    </>
  );
}

/** A completed top-up's e-invoice: the rule, the request form, then the invoice and its PDF. */
export function InvoiceSection({ order }: { order: Order }) {
  const t = useMessages(paymentMessages);
  const invoice = useInvoice(order.id, true);
  // A refunded order keeps showing its invoice and red-letter invoices, but can no longer get one.
  if (invoice.isSuccess && !invoice.data && order.status !== 'fulfilled') return null;
  return (
    <List className="section" header={t.invoice} data-testid="invoice-section">
      {invoice.isPending ? (
        <List.Item><Skeleton.Paragraph lineCount={2} animated /></List.Item>
      ) : invoice.isError ? (
        <LoadFailed error={invoice.error} onRetry={() => void invoice.refetch()} />
      ) : invoice.data ? (
        <IssuedInvoice orderId={order.id} invoice={invoice.data} />
      ) : (
        <InvoiceRequest order={order} />
      )}
    </List>
  );
}
