import { Button, Dialog, List, Result, Skeleton, Toast } from 'antd-mobile';
import { useNavigate, useParams } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { CardFace } from '../cards/CardFace.js';
import { useCard, type Card } from '../cards/queries.js';
import { formatYuan } from '../payments/format.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { ecardMessages } from './messages.js';
import { ecardPaths } from './paths.js';
import { useExtensionStatus, useInvalidateCards, type ReturnResult } from './queries.js';
import './ecards.css';

/** A university e-card: the school's card face, 卡片延期 from 30 July, and 退卡 with 退资. */
export function UniversityCardPage() {
  const t = useMessages(ecardMessages);
  const { cardId = '' } = useParams();
  const navigate = useNavigate();
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidateCards();
  const card = useCard(cardId);
  const extension = useExtensionStatus(cardId);
  const extend = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post<Card>(`/ecards/university/${cardId}/extend`, undefined, { idempotencyKey }),
    onSuccess: (c) => {
      void invalidate();
      Toast.show({ icon: 'success', content: fill(t.extended, { date: c.validUntil ?? '' }) });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  const giveBack = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.post<ReturnResult>(`/ecards/university/${cardId}/return`, undefined, { idempotencyKey }),
    onSuccess: () => void invalidate(),
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  const confirmReturn = async () => {
    if (await Dialog.confirm({ content: t.returnConfirm })) giveBack.mutate();
  };

  let body;
  if (giveBack.data) {
    const r = giveBack.data.refund;
    body = (
      <div data-testid="return-result">
        <Result
          status="success"
          title={t.returned}
          description={!r ? t.noRefund : r.route === 'gateway' ? fill(t.refundGateway, { amount: formatYuan(r.amountFen) }) : fill(t.refundOutlet, { amount: formatYuan(r.amountFen) })}
        />
        <Button block color="primary" size="large" onClick={() => navigate(ecardPaths.linkUniversity)}>{t.applyAgain}</Button>
      </div>
    );
  } else if (card.isPending || extension.isPending) body = <Skeleton.Paragraph lineCount={6} animated />;
  else if (card.isError) body = <LoadFailed error={card.error} onRetry={() => void card.refetch()} />;
  else if (extension.isError) body = <LoadFailed error={extension.error} onRetry={() => void extension.refetch()} />;
  else {
    const e = extension.data;
    const live = card.data.status === 'active' || card.data.status === 'suspended';
    body = (
      <>
        <CardFace card={card.data} />
        <List header={t.extension} className="section" data-testid="extension">
          <List.Item extra={e.validUntil ?? '—'}>{t.validUntil}</List.Item>
          {!e.canExtend && e.opensOn && <List.Item><span className="muted">{fill(t.extensionOpens, { date: e.opensOn })}</span></List.Item>}
        </List>
        <div className="ecard-actions">
          {e.canExtend && <Button block color="primary" loading={extend.isPending} onClick={() => extend.mutate()} data-testid="extend-submit">{fill(t.extendNow, { date: e.extendsTo })}</Button>}
          {live && <Button block color="danger" fill="outline" loading={giveBack.isPending} onClick={() => void confirmReturn()} data-testid="return-submit">{t.returnCard}</Button>}
        </div>
      </>
    );
  }
  return <SubPage title={t.universityTitle} backTo={ecardPaths.home}>{body}</SubPage>;
}
