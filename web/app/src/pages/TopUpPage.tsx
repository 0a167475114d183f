import { Button, ErrorBlock, Input, List, Skeleton } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { parseYuanToFen } from '../../../../src/domain/money.js';
import { useMessages } from '../../../shared/i18n.js';
import { CardOption } from '../payments/CardChoice.js';
import { useCards, type Card } from '../cards/queries.js';
import { useCheckout } from '../payments/cashier.js';
import { formatYuan } from '../payments/format.js';
import { paymentMessages } from '../payments/messages.js';
import { GatewayChoice } from '../payments/PayPanel.js';
import { useTopUpOptions, type Gateway, type TopUpOptions } from '../payments/queries.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useReportFailure } from '../ui/text.js';
import { LoadFailed } from './LoadFailed.js';
import '../payments/payments.css';

const yuan = (fen: number) => String(fen / 100);

/** The amount the form holds: a preset, or the typed yuan checked against the limits. */
function chosenAmount(options: TopUpOptions, preset: number | null, typed: string): { fen: number } | { error: 'required' | 'invalid' } {
  if (typed.trim() === '') return preset === null ? { error: 'required' } : { fen: preset };
  try {
    const fen = parseYuanToFen(typed);
    return fen >= options.minFen && fen <= options.maxFen ? { fen } : { error: 'invalid' };
  } catch {
    return { error: 'invalid' };
  }
}

function TopUpForm({ cards, options }: { cards: Card[]; options: TopUpOptions }) {
  const t = useMessages(paymentMessages);
  const reportFailure = useReportFailure();
  const [cardId, setCardId] = useState<string | null>(cards.find((card) => card.canTopUp)?.id ?? null);
  const [preset, setPreset] = useState<number | null>(options.presetsFen[0] ?? null);
  const [typed, setTyped] = useState('');
  const [touched, setTouched] = useState(false);
  const [gateway, setGateway] = useState<Gateway>('alipay');
  const [queryPassword, setQueryPassword] = useState('');
  const checkout = useCheckout<{ cardId: string; amountFen: number; queryPassword?: string }>('/orders/top-up', (error, stage) =>
    reportFailure(error, stage === 'order' ? t.topUpCreateFailed : t.payStartFailed),
  );
  // A campus card's top-up asks for its holder's query password (seed 004).
  const needsPassword = cards.find((c) => c.id === cardId)?.product === 'campus_card';
  const passwordError = needsPassword && touched && !/^\d{6}$/.test(queryPassword) ? t.queryPasswordRequired : null;

  const amount = chosenAmount(options, preset, typed);
  const limits = { min: yuan(options.minFen), max: yuan(options.maxFen) };
  const amountError = 'error' in amount && (touched || typed !== '') ? (amount.error === 'required' ? t.amountRequired : fill(t.amountInvalid, limits)) : null;
  const busy = checkout.isPending;

  const submit = () => {
    setTouched(true);
    if (!cardId || !('fen' in amount) || (needsPassword && !/^\d{6}$/.test(queryPassword))) return;
    checkout.start({ cardId, amountFen: amount.fen, ...(needsPassword ? { queryPassword } : {}) }, gateway);
  };

  return (
    <>
      <List header={t.chooseCard} className="section">
        <List.Item>
          <div className="card-choice" data-testid="topup-cards">
            {cards.map((card) => (
              <CardOption key={card.id} card={card} selected={card.id === cardId} onSelect={() => setCardId(card.id)} />
            ))}
          </div>
        </List.Item>
      </List>
      <List header={t.chooseAmount} className="section">
        <List.Item>
          <SingleSelector
            columns={2}
            value={typed === '' && preset !== null ? [preset] : []}
            options={options.presetsFen.map((fen) => ({ value: fen, label: formatYuan(fen) }))}
            onChange={([fen]) => {
              setPreset(fen ?? null);
              setTyped('');
            }}
            data-testid="topup-presets"
          />
        </List.Item>
        <List.Item prefix={t.customAmount} description={amountError && <span style={{ color: 'var(--adm-color-danger)' }} data-testid="topup-amount-error">{amountError}</span>}>
          <Input
            inputMode="decimal"
            placeholder={fill(t.customAmountPlaceholder, limits)}
            value={typed}
            onChange={setTyped}
            clearable
            data-testid="topup-custom"
          />
        </List.Item>
      </List>
      {needsPassword && (
        <List header={t.queryPassword} className="section">
          <List.Item description={passwordError ? <span style={{ color: 'var(--adm-color-danger)' }} data-testid="topup-password-error">{passwordError}</span> : t.queryPasswordHint}>
            <Input type="password" inputMode="numeric" maxLength={6} placeholder={t.queryPasswordPlaceholder} value={queryPassword} onChange={setQueryPassword} data-testid="topup-query-password" />
          </List.Item>
        </List>
      )}
      <GatewayChoice value={gateway} onChange={setGateway} />
      <Button block color="primary" size="large" loading={busy} disabled={!cardId || busy} onClick={submit} data-testid="topup-submit">
        {'fen' in amount ? fill(t.topUpSubmit, { amount: formatYuan(amount.fen) }) : t.topUp}
      </Button>
    </>
  );
}

/** A page opened for a card that cannot be topped up: why, and what to do, never another card instead. */
function CardTopUpBlocked({ card }: { card: Card }) {
  const t = useMessages(paymentMessages);
  const navigate = useNavigate();
  const reason = card.topUpBlockedReason ?? 'product';
  return (
    <div className="section" data-testid="topup-card-blocked" data-reason={reason}>
      <List>
        <List.Item>
          <div className="card-choice">
            <CardOption card={card} selected={false} onSelect={() => undefined} />
          </div>
        </List.Item>
      </List>
      <ErrorBlock status="default" title={t[`blocked_${reason}`]} description={<span data-testid="topup-card-blocked-todo">{t[`blockedTodo_${reason}`]}</span>} />
      <Button block color="primary" onClick={() => navigate(`/cards/${card.id}`)} data-testid="topup-back-to-card">
        {t.backToCard}
      </Button>
    </div>
  );
}

/**
 * 充值: pick the card (a parent picks among the children's), a preset amount or any amount in
 * the limits, Alipay or WeChat Pay; then the sandbox (or real) cashier and the result page.
 */
export function TopUpPage() {
  const t = useMessages(paymentMessages);
  const { cardId } = useParams();
  const cards = useCards();
  const options = useTopUpOptions();
  // A university's campus card is a 校园卡, not a 学生卡: the page opened for one (or with only such cards) says so.
  const shown = cardId ? cards.data?.filter((card) => card.id === cardId) : cards.data;
  const campusOnly = shown !== undefined && shown.length > 0 && shown.every((card) => card.product === 'campus_card');

  return (
    <SubPage title={campusOnly ? t.topUpTitleCampus : t.topUpTitle} backTo={cardId ? `/cards/${cardId}` : '/'}>
      {cards.isPending || options.isPending ? (
        <Skeleton.Paragraph lineCount={8} animated />
      ) : cards.isError ? (
        <LoadFailed error={cards.error} onRetry={() => void cards.refetch()} />
      ) : options.isError ? (
        <LoadFailed error={options.error} onRetry={() => void options.refetch()} />
      ) : cards.data.length === 0 && !cardId ? (
        <ErrorBlock status="empty" title={t.noCardsToTopUp} description={t.noCardsToTopUpHint} data-testid="topup-no-cards" />
      ) : (
        <TopUpFor cards={cards.data} options={options.data} cardId={cardId} />
      )}
    </SubPage>
  );
}

/**
 * Opened for one card (/cards/:cardId/top-up): that card only, or why it cannot be topped up;
 * from the home page (/top-up): a choice among the caller's cards.
 */
function TopUpFor({ cards, options, cardId }: { cards: Card[]; options: TopUpOptions; cardId: string | undefined }) {
  const t = useMessages(paymentMessages);
  if (!cardId) return <TopUpForm cards={cards} options={options} />;
  const card = cards.find((c) => c.id === cardId);
  if (!card) return <ErrorBlock status="empty" title={t.cardNotFound} data-testid="topup-card-missing" />;
  if (!card.canTopUp) return <CardTopUpBlocked card={card} />;
  return <TopUpForm cards={[card]} options={options} />;
}
