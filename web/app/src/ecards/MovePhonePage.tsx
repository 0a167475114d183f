import { Button, NoticeBar, Result, Toast } from 'antd-mobile';
import { useNavigate, useParams } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { CardFace } from '../cards/CardFace.js';
import { formatYuan } from '../payments/format.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { ecardMessages } from './messages.js';
import { ecardPaths } from './paths.js';
import { PhoneCheck } from './PhoneCheck.js';
import { useInvalidateCards, type EcardResult, type Phone } from './queries.js';
import './ecards.css';

/** Lost phone, step 2: the suspended e-card moves to a new phone that passes the check. */
export function MovePhonePage() {
  const t = useMessages(ecardMessages);
  const { cardId = '' } = useParams();
  const navigate = useNavigate();
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidateCards();
  const move = useIdempotentMutation({
    mutationFn: (phone: Phone, idempotencyKey) => api.post<EcardResult>(`/ecards/${cardId}/move`, { phone }, { idempotencyKey }),
    onSuccess: () => void invalidate(),
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  return (
    <SubPage title={t.moveTitle} backTo={ecardPaths.home}>
      {move.data ? (
        <div data-testid="move-result">
          <Result status="success" title={t.moved} description={fill(t.movedHint, { amount: formatYuan(move.data.balanceMovedFen) })} />
          <CardFace card={move.data.card} />
          <Button block color="primary" size="large" onClick={() => navigate(ecardPaths.home)}>{t.toMyEcards}</Button>
        </div>
      ) : (
        <>
          <NoticeBar content={t.moveIntro} color="info" wrap />
          <PhoneCheck actionLabel={t.moveNow} busy={move.isPending} onPassed={(phone) => move.mutate(phone)} />
        </>
      )}
    </SubPage>
  );
}
