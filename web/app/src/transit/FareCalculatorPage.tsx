import { Button, Form, Input, List } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { formatYuan, parseYuanToFen } from '../../../../src/domain/money.js';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { useSession } from '../../../shared/session.js';
import { LangToggle } from '../LangToggle.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { transitMessages, type TransitText } from './messages.js';
import { useFareQuote, type FareQuestion, type FareQuote } from './queries.js';
import './transit.css';

const modes = ['bus', 'rail'] as const;
const categories = ['student', 'ordinary', 'cash'] as const;
const lineTypes = ['ordinary', 'tourist', 'express', 'customised'] as const;

interface FormValues {
  mode: FareQuestion['mode'][];
  category: FareQuestion['category'][];
  lineType: NonNullable<FareQuestion['lineType']>[];
  distanceKm: string;
  monthSpent: string;
}

function oneOf<T extends string>(allowed: readonly T[], value: string | null, fallback: T): T {
  return allowed.includes(value as T) ? (value as T) : fallback;
}

function yuanOrNull(text: string | undefined): number | null {
  try {
    return parseYuanToFen((text ?? '').trim() || '0');
  } catch {
    return null;
  }
}

/**
 * 票价计算 (public, no login): mode, distance, rider category, line type (bus) and this month's
 * rail spend (rail by card) → the fare, the full fare, the rule and why. Prefilled from the
 * address (`?mode=rail&category=student&monthSpentFen=15200`), as the rail-month panel links it.
 */
export function FareCalculatorPage() {
  const t = useMessages(transitMessages);
  const { token } = useSession();
  const describe = useErrorText();
  const [params] = useSearchParams();
  const [form] = Form.useForm<FormValues>();
  const [question, setQuestion] = useState<FareQuestion | null>(null);
  const quote = useFareQuote(question);

  const initialSpentFen = Number(params.get('monthSpentFen'));
  const initial: FormValues = {
    mode: [oneOf(modes, params.get('mode'), 'bus')],
    category: [oneOf(categories, params.get('category'), 'student')],
    lineType: [oneOf(lineTypes, params.get('lineType'), 'ordinary')],
    distanceKm: params.get('distanceKm') ?? '',
    monthSpent: Number.isSafeInteger(initialSpentFen) && initialSpentFen > 0 ? formatYuan(initialSpentFen).slice(1) : '',
  };
  const mode = Form.useWatch('mode', form)?.[0] ?? initial.mode[0];
  const category = Form.useWatch('category', form)?.[0] ?? initial.category[0];

  const submit = (values: FormValues) => {
    const m = values.mode[0] ?? 'bus';
    setQuestion({
      mode: m,
      distanceKm: values.distanceKm.trim(),
      category: values.category[0] ?? 'student',
      lineType: m === 'bus' ? (values.lineType[0] ?? 'ordinary') : undefined,
      monthSpentFen: m === 'rail' ? (yuanOrNull(values.monthSpent) ?? 0) : undefined,
    });
  };

  return (
    <SubPage title={t.calculator} backTo={token ? '/' : '/login'} right={<LangToggle />}>
      <p className="muted">{t.calculatorIntro}</p>
      <div className="form-card">
        <Form
          form={form}
          layout="vertical"
          initialValues={initial}
          onFinish={submit}
          // A result answers the question asked: once the form changes (or fails its checks) it is gone, never left under an error.
          onValuesChange={() => setQuestion(null)}
          onFinishFailed={() => setQuestion(null)}
          footer={
            <Button block type="submit" color="primary" size="large" loading={quote.isFetching} data-testid="fare-submit">
              {t.calculate}
            </Button>
          }
        >
          <Form.Item name="mode" label={t.mode} rules={[{ required: true }]}>
            <SingleSelector columns={2} options={modes.map((value) => ({ value, label: t[`mode_${value}`] }))} data-testid="fare-mode" />
          </Form.Item>
          <Form.Item name="category" label={t.category} rules={[{ required: true }]}>
            <SingleSelector columns={3} options={categories.map((value) => ({ value, label: t[`category_${value}`] }))} data-testid="fare-category" />
          </Form.Item>
          {mode === 'bus' && (
            <Form.Item name="lineType" label={t.lineType} rules={[{ required: true }]}>
              <SingleSelector columns={2} options={lineTypes.map((value) => ({ value, label: t[`lineType_${value}`] }))} data-testid="fare-line-type" />
            </Form.Item>
          )}
          <Form.Item
            name="distanceKm"
            label={t.distanceKm}
            rules={[
              { required: true, message: t.distanceInvalid },
              // A ride of 0 km is no ride: more than 0, at most 500 (the server refuses both).
              { validator: (_, value: string) => (/^\d{1,3}(\.\d{1,3})?$/.test((value ?? '').trim()) && Number(value) > 0 && Number(value) <= 500 ? Promise.resolve() : Promise.reject(new Error(t.distanceInvalid))) },
            ]}
          >
            <Input inputMode="decimal" placeholder={t.distancePlaceholder} clearable data-testid="fare-distance" />
          </Form.Item>
          {mode === 'rail' && category !== 'cash' && (
            <Form.Item
              name="monthSpent"
              label={t.monthSpent}
              rules={[{ validator: (_, value: string) => (yuanOrNull(value) === null ? Promise.reject(new Error(t.monthSpentInvalid)) : Promise.resolve()) }]}
            >
              <Input inputMode="decimal" placeholder={t.monthSpentPlaceholder} clearable data-testid="fare-month-spent" />
            </Form.Item>
          )}
        </Form>
      </div>
      {question && quote.isError && (
        <div className="form-error" role="alert" data-testid="fare-error">
          {describe(quote.error)}
        </div>
      )}
      {question && quote.data && !quote.isError && <FareResult quote={quote.data} t={t} />}
    </SubPage>
  );
}

function FareResult({ quote, t }: { quote: FareQuote; t: TransitText }) {
  const { lang } = useLang();
  return (
    <div className="section">
      <List header={t.result} mode="card" data-testid="fare-result" data-rule={quote.rule} data-fare-fen={quote.fareFen}>
        <List.Item extra={<span className="fare-result-amount" data-testid="fare-amount">{formatYuan(quote.fareFen)}</span>}>{t.fare}</List.Item>
        <List.Item extra={<span data-testid="fare-full">{formatYuan(quote.fullFareFen)}</span>}>{t.fullFare}</List.Item>
        <List.Item extra={<span data-testid="fare-rule">{t[`rule_${quote.rule}`]}</span>}>{t.rule}</List.Item>
        <List.Item description={fill(t.fareTable, { date: quote.fareTableFrom })}>
          <div>{t.explanation}</div>
          <div className="fare-explanation" data-testid="fare-explanation">{lang === 'en' ? quote.explanation.en : quote.explanation.zh}</div>
        </List.Item>
      </List>
    </div>
  );
}
