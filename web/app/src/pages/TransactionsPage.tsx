import { Button, CheckList, ErrorBlock, List, Popup, Skeleton } from 'antd-mobile';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useCard, type Card } from '../cards/queries.js';
import { useCardTransactions, transactionTypes, type TransactionType } from '../payments/cards.js';
import { formatYuan, signedYuan } from '../payments/format.js';
import { paymentMessages } from '../payments/messages.js';
import { moneyPaths } from '../payments/paths.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, fill } from '../ui/text.js';
import { LoadFailed } from './LoadFailed.js';
import '../payments/payments.css';

/** The last 12 Beijing months, newest first, as `YYYY-MM`. */
function recentMonths(now: Date): string[] {
  const [year, month] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(now).split('-').map(Number) as [number, number];
  return Array.from({ length: 12 }, (_, i) => {
    const index = year * 12 + (month - 1) - i;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  });
}

function BalanceHead({ card }: { card: Card }) {
  const t = useMessages(paymentMessages);
  const navigate = useNavigate();
  return (
    <div className="balance-head" data-testid="card-balance-head">
      <div className="muted">{card.holderNameMasked} · {t[`product_${card.product}`]} · {card.cardNoMasked}</div>
      <div className="big-amount" data-testid="card-balance">{formatYuan(card.balanceFen)}</div>
      <div className="section-header">
        <span className="muted">{t.available} {formatYuan(card.availableFen)}</span>
        {card.canTopUp && (
          <Button size="small" onClick={() => navigate(moneyPaths.cardTopUp(card.id))} data-testid="card-topup">
            {t.topUp}
          </Button>
        )}
      </div>
    </div>
  );
}

/** A bottom sheet with one choice per row; choosing closes it. */
function ChoiceSheet({ visible, title, options, value, onChoose, onClose, testId }: {
  visible: boolean; title: string; options: { label: string; value: string }[]; value: string; onChoose(value: string): void; onClose(): void; testId: string;
}) {
  return (
    <Popup visible={visible} onMaskClick={onClose} onClose={onClose} bodyStyle={{ borderTopLeftRadius: 12, borderTopRightRadius: 12, maxHeight: '70vh', overflowY: 'auto' }}>
      <div data-testid={testId}>
        <div className="sheet-title">{title}</div>
        <CheckList
          value={[value]}
          onChange={([next]) => {
            if (next !== undefined) onChoose(String(next));
            onClose();
          }}
        >
          {options.map((option) => (
            <CheckList.Item key={option.value} value={option.value}>{option.label}</CheckList.Item>
          ))}
        </CheckList>
      </div>
    </Popup>
  );
}

function Filters({ type, month, onType, onMonth }: { type: TransactionType | null; month: string | null; onType(type: TransactionType | null): void; onMonth(month: string | null): void }) {
  const t = useMessages(paymentMessages);
  const [picking, setPicking] = useState<'type' | 'month' | null>(null);
  const months = recentMonths(new Date());
  const all = 'all';
  const close = () => setPicking(null);
  return (
    <div className="tx-filters">
      <Button size="small" onClick={() => setPicking('type')} data-testid="tx-filter-type">{type ? t[`tx_${type}`] : t.allTypes} ▾</Button>
      <Button size="small" onClick={() => setPicking('month')} data-testid="tx-filter-month">{month ?? t.allMonths} ▾</Button>
      <ChoiceSheet
        visible={picking === 'type'}
        title={t.type}
        options={[{ label: t.allTypes, value: all }, ...transactionTypes.map((value) => ({ label: t[`tx_${value}`], value }))]}
        value={type ?? all}
        onChoose={(value) => onType(value === all ? null : (value as TransactionType))}
        onClose={close}
        testId="tx-type-choices"
      />
      <ChoiceSheet
        visible={picking === 'month'}
        title={t.month}
        options={[{ label: t.allMonths, value: all }, ...months.map((value) => ({ label: value, value }))]}
        value={month ?? all}
        onChoose={(value) => onMonth(value === all ? null : value)}
        onClose={close}
        testId="tx-month-choices"
      />
    </div>
  );
}

function TransactionList({ cardId, type, month }: { cardId: string; type: TransactionType | null; month: string | null }) {
  const t = useMessages(paymentMessages);
  const { lang } = useLang();
  const list = useCardTransactions(cardId, { type, month });

  if (list.isPending) return <Skeleton.Paragraph lineCount={6} animated />;
  if (list.isError) return <LoadFailed error={list.error} onRetry={() => void list.refetch()} />;
  const items = list.data.pages.flatMap((page) => page.items);
  if (items.length === 0) return <ErrorBlock status="empty" title={t.noTransactions} description={null} data-testid="tx-empty" />;
  return (
    <>
      <List className="section" data-testid="tx-list">
        {items.map((tx) => (
          <List.Item
            key={tx.transactionId}
            data-testid="tx-row"
            description={formatBeijingTime(tx.createdAt, lang)}
            extra={
              <div style={{ textAlign: 'right' }}>
                <div className={`amount ${tx.amountFen > 0 ? 'credit' : 'debit'}`} data-testid="tx-amount">{signedYuan(tx.amountFen)}</div>
                <div className="muted">{fill(t.balanceAfter, { amount: formatYuan(tx.balanceAfterFen) })}</div>
              </div>
            }
          >
            <span data-testid="tx-type">{t[`tx_${tx.type}`]}</span>
            {tx.memo && <div className="muted" data-testid="tx-memo">{lang === 'en' ? (tx.memoEn ?? tx.memo) : tx.memo}</div>}
          </List.Item>
        ))}
      </List>
      {list.hasNextPage ? (
        <Button block fill="none" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()} data-testid="tx-more">
          {t.loadMore}
        </Button>
      ) : (
        <div className="muted" style={{ textAlign: 'center', padding: 8 }}>{t.noMore}</div>
      )}
    </>
  );
}

/** 交易记录 of one card: date, type, signed amount, running balance; filters by type and month. */
export function TransactionsPage() {
  const t = useMessages(paymentMessages);
  const { cardId = '' } = useParams();
  const card = useCard(cardId);
  const [type, setType] = useState<TransactionType | null>(null);
  const [month, setMonth] = useState<string | null>(null);

  return (
    <SubPage title={t.transactions} backTo={`/cards/${cardId}`}>
      {card.isPending ? (
        <Skeleton.Paragraph lineCount={3} animated />
      ) : card.isError ? (
        errorCode(card.error) === 'CARD_NOT_FOUND' ? (
          <ErrorBlock status="empty" title={t.cardNotFound} description={null} />
        ) : (
          <LoadFailed error={card.error} onRetry={() => void card.refetch()} />
        )
      ) : (
        <>
          <BalanceHead card={card.data} />
          <Filters type={type} month={month} onType={setType} onMonth={setMonth} />
          <TransactionList cardId={cardId} type={type} month={month} />
        </>
      )}
    </SubPage>
  );
}
