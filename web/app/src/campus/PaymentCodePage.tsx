import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, ErrorBlock, Form, Input, List, Skeleton, Toast } from 'antd-mobile';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { paymentCodeSchema, purchaseLimitSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { parseYuanToFen } from '../../../../src/domain/money.js';
import { formatYuan } from '../payments/format.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, fill, useReportFailure } from '../ui/text.js';
import { campusMessages } from './messages.js';
import './campus.css';

type PaymentCode = z.infer<typeof paymentCodeSchema>;
type PurchaseLimit = z.infer<typeof purchaseLimitSchema>;
const sixDigits = /^\d{6}$/;

/** 1234567890… in groups of four, as payment codes are printed, so a cashier can type it if the scanner fails. */
const grouped = (code: string) => code.replace(/(\d{4})(?=\d)/g, '$1 ');

/** The code as a QR image for the till's scanner (a data: URL), or null while it is drawn. */
function useQrImage(code: string | undefined): string | null {
  const [image, setImage] = useState<{ code: string; url: string } | null>(null);
  useEffect(() => {
    if (!code) return;
    let current = true;
    void QRCode.toDataURL(code, { margin: 1, width: 220, errorCorrectionLevel: 'M' }).then((url) => {
      if (current) setImage({ code, url });
    });
    return () => {
      current = false;
    };
  }, [code]);
  return image && image.code === code ? image.url : null;
}

/**
 * Seconds left of a code received at `receivedAt` (this phone's clock) that lives `validForSeconds`,
 * ticking; 0 once it has passed. Counted from its arrival, not from the server's expiry time, so a
 * phone whose clock is off still counts right.
 */
function useSecondsLeft(received: { at: number; validForSeconds: number } | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!received) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [received]);
  return received ? Math.max(0, Math.ceil((received.at + received.validForSeconds * 1000 - now) / 1000)) : 0;
}

/**
 * 付款码 (seed 004, 消费认证码): the campus card holder asks for a code with the query password and
 * shows it at the canteen till. It lasts a minute and pays once; a new one ends the last. The page
 * also shows and sets 单笔限额, above which the till asks for the consumption password, and shows the
 * daily limit a parent may have set (每日消费限额).
 */
export function PaymentCodePage() {
  const t = useMessages(campusMessages);
  const api = useApi();
  const { token } = useSession();
  const limit = useQuery({ queryKey: ['campus', 'limit', token], queryFn: ({ signal }) => api.get<PurchaseLimit>('/campus/purchase-limit', undefined, signal), retry: false });

  let body;
  if (limit.isPending) body = <Skeleton.Paragraph lineCount={6} animated />;
  else if (limit.isError && errorCode(limit.error) === 'CAMPUS_CARD_NOT_IN_USE') body = <ErrorBlock status="empty" title={t.noCampusCard} description={t.noCampusCardHint} data-testid="paycode-no-card" />;
  else if (limit.isError) body = <LoadFailed error={limit.error} onRetry={() => void limit.refetch()} />;
  else {
    body = (
      <>
        <CodeSection />
        {limit.data.dailyLimitFen !== null && (
          <List mode="card" data-testid="paycode-daily-limit">
            <List.Item extra={formatYuan(limit.data.dailyLimitFen)} description={fill(t.dailyLimitHint, { spent: formatYuan(limit.data.spentTodayFen) })}>{t.dailyLimit}</List.Item>
          </List>
        )}
        <LimitSection limitFen={limit.data.limitFen} maxFen={limit.data.maxFen} />
      </>
    );
  }
  return <SubPage title={t.payCodeTitle} backTo="/cards">{body}</SubPage>;
}

function CodeSection() {
  const t = useMessages(campusMessages);
  const api = useApi();
  const reportFailure = useReportFailure();
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  // Not idempotent on purpose: every ask is a new code.
  const [received, setReceived] = useState<{ at: number; validForSeconds: number } | null>(null);
  const issue = useMutation({
    mutationFn: (queryPassword: string) => api.post<PaymentCode>('/campus/payment-codes', { queryPassword }),
    onSuccess: (issued) => setReceived({ at: Date.now(), validForSeconds: issued.validForSeconds }),
  });
  const code = issue.data;
  const secondsLeft = useSecondsLeft(received);
  const qr = useQrImage(code?.code);
  const ask = () => {
    setTouched(true);
    if (!sixDigits.test(password)) return;
    issue.mutate(password, { onError: (error) => reportFailure(error) });
  };

  if (!code) {
    return (
      <div className="form-card section">
        <Form layout="vertical" footer={<Button block color="primary" size="large" loading={issue.isPending} onClick={ask} data-testid="paycode-show">{t.showCode}</Button>}>
          <Form.Header>{t.payCodeIntro}</Form.Header>
          <Form.Item label={t.queryPassword} help={touched && !sixDigits.test(password) ? <span className="form-error-text">{t.queryPasswordInvalid}</span> : undefined}>
            <Input type="password" inputMode="numeric" maxLength={6} placeholder={t.queryPasswordPlaceholder} value={password} onChange={setPassword} data-testid="paycode-password" />
          </Form.Item>
        </Form>
      </div>
    );
  }
  return (
    <div className="section paycode" data-testid="paycode" data-live={secondsLeft > 0}>
      <div className="paycode-card">
        {secondsLeft > 0 && qr ? <img src={qr} alt={t.payCodeTitle} className="paycode-qr" data-testid="paycode-qr" /> : <div className="paycode-qr" />}
        <div className="paycode-digits" data-testid="paycode-digits">{secondsLeft > 0 ? grouped(code.code) : '•••• •••• •••• •••• ••'}</div>
      </div>
      <div className="muted" data-testid="paycode-expiry">{secondsLeft > 0 ? fill(t.expiresIn, { seconds: secondsLeft }) : t.expired}</div>
      <List mode="card">
        <List.Item extra={<span data-testid="paycode-balance">{formatYuan(code.balanceFen)}</span>}>{t.balance}</List.Item>
        <List.Item extra={formatYuan(code.purchaseLimitFen)} description={t.limitHint}>{t.limit}</List.Item>
      </List>
      <Button block color="primary" loading={issue.isPending} onClick={ask} data-testid="paycode-refresh">{t.refresh}</Button>
    </div>
  );
}

function LimitSection({ limitFen, maxFen }: { limitFen: number; maxFen: number }) {
  const t = useMessages(campusMessages);
  const api = useApi();
  const reportFailure = useReportFailure();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<{ yuan: string; queryPassword: string }>();
  const save = useMutation({
    mutationFn: (body: { limitFen: number; queryPassword: string }) => api.request<PurchaseLimit>('PUT', '/campus/purchase-limit', { body }),
    onSuccess: async (saved) => {
      Toast.show({ icon: 'success', content: fill(t.limitSaved, { amount: formatYuan(saved.limitFen) }) });
      form.setFieldValue('queryPassword', '');
      await queryClient.invalidateQueries({ queryKey: ['campus', 'limit'] });
    },
    onError: (error) => reportFailure(error),
  });
  const fenOf = (value: string): number | null => {
    try {
      const fen = parseYuanToFen(value);
      return fen <= maxFen ? fen : null;
    } catch {
      return null;
    }
  };
  return (
    <div className="form-card section" data-testid="paycode-limit" data-limit-fen={limitFen}>
      <Form
        form={form}
        layout="horizontal"
        initialValues={{ yuan: String(limitFen / 100), queryPassword: '' }}
        onFinish={(v) => save.mutate({ limitFen: fenOf(v.yuan)!, queryPassword: v.queryPassword })}
        footer={<Button block type="submit" loading={save.isPending} data-testid="paycode-limit-save">{t.limitSave}</Button>}
      >
        <Form.Header>{t.limitTitle}</Form.Header>
        <Form.Item name="yuan" label={t.limitAmount} rules={[{ validator: async (_, v: string) => { if (fenOf(String(v ?? '')) === null) throw new Error(t.limitInvalid); } }]}>
          <Input inputMode="numeric" placeholder={t.limitPlaceholder} data-testid="paycode-limit-yuan" />
        </Form.Item>
        <Form.Item name="queryPassword" label={t.queryPassword} rules={[{ pattern: sixDigits, required: true, message: t.queryPasswordInvalid }]}>
          <Input type="password" inputMode="numeric" maxLength={6} placeholder={t.queryPasswordPlaceholder} data-testid="paycode-limit-password" />
        </Form.Item>
      </Form>
    </div>
  );
}

