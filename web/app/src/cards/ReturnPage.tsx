import { Button, Dialog, ErrorBlock, List, Result, Skeleton, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { finalApplicationStatuses } from '../../../../src/domain/fulfilment-lifecycle.js';
import { formatYuan } from '../../../../src/domain/money.js';
import { ApiError } from '../../../shared/api.js';
import { useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { cardMessages } from './messages.js';
import { useApplications } from './fulfilment.js';
import { cardPaths } from './paths.js';
import { useCard } from './queries.js';
import { useReturnCard, useReturnQuote, type ReturnQuoteDto, type ReturnResultDto } from './services.js';
import { reasonText, wizardMessages } from './wizard-messages.js';
import './cards.css';

/**
 * 退卡 (domain rules): the card stops for good; its balance comes back in the app up to ¥200, above
 * that at an outlet. Not while the card's replacement is under way (FULFILMENT_APPLICATION_OPEN).
 */
export function ReturnPage() {
  const { cardId = '' } = useParams();
  const w = useMessages(wizardMessages);
  const t = useMessages(cardMessages);
  const quote = useReturnQuote(cardId);
  const card = useCard(cardId);
  const [done, setDone] = useState<ReturnResultDto | null>(null);

  let body;
  if (done) body = <Returned result={done} />;
  else if (quote.isPending) body = <Skeleton.Paragraph lineCount={5} animated />;
  else if (quote.isError) {
    body =
      quote.error instanceof ApiError && (quote.error.status === 404 || quote.error.status === 403) ? (
        <ErrorBlock status="empty" title={t.notFound} />
      ) : (
        <LoadFailed error={quote.error} onRetry={() => void quote.refetch()} />
      );
  } else body = <ReturnQuote quote={quote.data} cardNoMasked={card.data?.cardNoMasked ?? '…'} studentId={card.data?.studentId} onDone={setDone} />;

  return (
    <SubPage title={w.returnTitle} backTo={cardPaths.card(cardId)}>
      {body}
    </SubPage>
  );
}

function ReturnQuote({ quote, cardNoMasked, studentId, onDone }: { quote: ReturnQuoteDto; cardNoMasked: string; studentId: string | undefined; onDone(result: ReturnResultDto): void }) {
  const w = useMessages(wizardMessages);
  const t = useMessages(cardMessages);
  const describe = useErrorText();
  const returnCard = useReturnCard(quote.cardId);
  const limit = formatYuan(quote.inAppLimitFen);
  const route = quote.refundRoute === 'app' ? fill(w.refund_app, { limit }) : quote.refundRoute === 'outlet' ? fill(w.refund_outlet, { limit }) : w.refund_none;
  const replacing = quote.blockedBy === 'FULFILMENT_APPLICATION_OPEN';

  const run = async () => {
    if (!(await Dialog.confirm({ content: w.returnConfirm }))) return;
    try {
      onDone(await returnCard.mutateAsync());
    } catch (error) {
      Toast.show({ icon: 'fail', content: describe(error), duration: 3000 });
    }
  };

  return (
    <div data-testid="return" data-returnable={quote.returnable}>
      <div className="muted" style={{ fontSize: 13, margin: '0 4px 12px' }}>{w.returnIntro}</div>
      <List mode="card">
        <List.Item extra={cardNoMasked}>{t.cardNo}</List.Item>
        <List.Item
          extra={<span data-testid="return-balance">{formatYuan(quote.balanceFen)}</span>}
          description={quote.networkBalanceFen > 0 ? <span data-testid="return-network-balance">{fill(w.returnNetworkBalance, { amount: formatYuan(quote.networkBalanceFen) })}</span> : undefined}
        >
          {w.returnBalance}
        </List.Item>
        <List.Item description={<span data-testid="return-route">{route}</span>}>{w.refundRoute}</List.Item>
      </List>
      {!quote.returnable && (
        <div className="form-error" role="alert" data-testid="return-blocked" data-code={quote.blockedBy}>
          {reasonText(w, quote.blockedBy, w.cannotReturn)}
        </div>
      )}
      {/* While a replacement is under way the way forward is the application, not a disabled button. */}
      {replacing ? (
        <ReplacementUnderway cardId={quote.cardId} studentId={studentId} />
      ) : (
        <Button block color="danger" size="large" disabled={!quote.returnable} loading={returnCard.isPending} onClick={() => void run()} data-testid="return-submit">
          {w.returnNow}
        </Button>
      )}
    </div>
  );
}

/** Why the card waits for its replacement, and the way to the application's progress (withdraw it there, while it still may be). */
function ReplacementUnderway({ cardId, studentId }: { cardId: string; studentId: string | undefined }) {
  const w = useMessages(wizardMessages);
  const navigate = useNavigate();
  const applications = useApplications(studentId);
  // The server's own rule (replacementUnderway): an application for this card that is neither completed nor cancelled.
  const open = applications.data?.find((a) => a.oldCardId === cardId && !finalApplicationStatuses.includes(a.status));
  return (
    <div data-testid="return-application-open">
      <div className="muted" style={{ fontSize: 13, margin: '0 4px 12px' }}>{w.returnApplicationOpenHint}</div>
      {open && (
        <Button block color="primary" size="large" onClick={() => navigate(cardPaths.application(open.id))} data-testid="return-application-link">
          {w.returnSeeApplication}
        </Button>
      )}
    </div>
  );
}

function Returned({ result }: { result: ReturnResultDto }) {
  const w = useMessages(wizardMessages);
  const t = useMessages(cardMessages);
  const navigate = useNavigate();
  const refund = result.refund;
  const description = refund ? fill(refund.route === 'outlet' ? w.refundAtOutlet : w.refundCreated, { amount: formatYuan(refund.amountFen) }) : w.refund_none;
  return (
    <>
      <Result status="success" title={w.returned} description={<span data-testid="return-result">{description}</span>} />
      <Button block onClick={() => navigate(cardPaths.cards)}>
        {t.backToCards}
      </Button>
    </>
  );
}
