import { Button, Dialog, ErrorBlock, List, Skeleton, Tag, Toast } from 'antd-mobile';
import { useParams } from 'react-router';
import { ApiError } from '../../../shared/api.js';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { fill, useErrorText } from '../ui/text.js';
import { cardMessages } from './messages.js';
import { cardPaths } from './paths.js';
import { useExtendCard, useExtensionCheck, type ExtensionCheckDto } from './services.js';
import { reasonText, wizardMessages } from './wizard-messages.js';
import './cards.css';

/**
 * 卡片延期 (seeds 000, 001): the status check first ("卡正常状态" → may extend), this year's window
 * set by the operator, the valid-until date now and after; extend when all allow it.
 */
export function ExtensionPage() {
  const { cardId = '' } = useParams();
  const w = useMessages(wizardMessages);
  const t = useMessages(cardMessages);
  const check = useExtensionCheck(cardId);

  let body;
  if (check.isPending) body = <Skeleton.Paragraph lineCount={6} animated />;
  else if (check.isError) {
    body =
      check.error instanceof ApiError && (check.error.status === 404 || check.error.status === 403) ? (
        <ErrorBlock status="empty" title={t.notFound} />
      ) : (
        <LoadFailed error={check.error} onRetry={() => void check.refetch()} />
      );
  } else body = <Extension check={check.data} />;

  return (
    <SubPage title={w.extendTitle} backTo={cardPaths.card(cardId)}>
      {body}
    </SubPage>
  );
}

function Extension({ check }: { check: ExtensionCheckDto }) {
  const w = useMessages(wizardMessages);
  const { lang } = useLang();
  const describe = useErrorText();
  const extend = useExtendCard(check.cardId);

  const run = async () => {
    if (!check.newValidUntil) return;
    if (!(await Dialog.confirm({ content: fill(w.extendConfirm, { date: check.newValidUntil }) }))) return;
    try {
      const result = await extend.mutateAsync();
      Toast.show({ icon: 'success', content: fill(w.extended, { date: result.card.validUntil ?? result.extension.toValidUntil }) });
    } catch (error) {
      Toast.show({ icon: 'fail', content: describe(error), duration: 3000 });
    }
  };

  return (
    <div data-testid="extension" data-eligible={check.eligible}>
      <List mode="card" header={w.statusCheck}>
        <List.Item extra={check.cardNoMasked}>{w.beijingTongNo}</List.Item>
        <List.Item extra={<Tag color={check.statusNormal ? 'success' : 'danger'} data-testid="extension-status">{lang === 'en' ? check.statusMessage.en : check.statusMessage.zh}</Tag>}>
          {w.holdStatus}
        </List.Item>
      </List>
      <List mode="card" header={w.extensionWindow}>
        {check.window ? (
          <List.Item
            extra={<Tag color={check.window.open || check.late ? 'success' : 'default'} data-testid="extension-window">{check.window.open ? w.windowOpen : check.late ? w.windowLate : w.windowShut}</Tag>}
          >
            {check.window.startsOn} ~ {check.window.endsOn}
          </List.Item>
        ) : (
          <List.Item>{w.noWindow}</List.Item>
        )}
        <List.Item extra={<span data-testid="extension-valid-until">{check.validUntil ?? '—'}</span>}>{w.currentValidUntil}</List.Item>
        {check.graceUntil && <List.Item extra={<span data-testid="extension-grace-until">{check.graceUntil}</span>}>{w.graceUntil}</List.Item>}
        {check.newValidUntil && <List.Item extra={<span data-testid="extension-new-valid-until">{check.newValidUntil}</span>}>{w.newValidUntil}</List.Item>}
        {check.graduationDate && <List.Item extra={<span data-testid="extension-graduation">{check.graduationDate}</span>} description={w.graduationHint}>{w.graduation}</List.Item>}
      </List>
      {!check.eligible && (
        <div className="form-error" role="alert" data-testid="extension-blocked">
          {reasonText(w, check.blockedBy, w.cannotExtend)}
        </div>
      )}
      <Button block color="primary" size="large" disabled={!check.eligible} loading={extend.isPending} onClick={() => void run()} data-testid="extension-submit">
        {w.extendNow}
      </Button>
    </div>
  );
}
