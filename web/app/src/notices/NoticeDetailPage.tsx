import { Button, ErrorBlock, Skeleton, Tag } from 'antd-mobile';
import { useNavigate, useParams } from 'react-router';
import { noticeParagraphs } from '../../../../src/domain/notices.js';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { beijingDate, errorCode, fill } from '../ui/text.js';
import { noticeMessages } from './messages.js';
import { noticePaths } from './paths.js';
import { useNotice } from './queries.js';
import './notices.css';

/** One notice, its paragraphs as written; opening it clears its unread mark. */
export function NoticeDetailPage() {
  const { noticeId = '' } = useParams();
  const t = useMessages(noticeMessages);
  const { lang } = useLang();
  const navigate = useNavigate();
  const notice = useNotice(noticeId);
  let body;
  if (notice.isPending) body = <Skeleton.Paragraph lineCount={8} animated />;
  else if (notice.isError && (errorCode(notice.error) === 'NOTICE_NOT_FOUND' || errorCode(notice.error) === 'VALIDATION_FAILED')) {
    body = (
      <ErrorBlock status="empty" title={t.noticeMissing} description={null} data-testid="notice-missing">
        <Button size="small" color="primary" onClick={() => navigate(noticePaths.list)}>{t.backToList}</Button>
      </ErrorBlock>
    );
  } else if (notice.isError) body = <LoadFailed error={notice.error} onRetry={() => void notice.refetch()} />;
  else {
    const n = notice.data;
    body = (
      <article className="notice-detail" data-testid="notice-detail">
        <h2 data-testid="notice-title">{n.title}</h2>
        <div className="notice-meta">
          {n.pinned && <Tag color="danger" fill="outline">{t.pinned}</Tag>}
          <span data-testid="notice-issuer">{n.cityWide ? t.cardCentre : n.issuerName}</span>
          <span>{fill(t.publishedAt, { date: beijingDate(n.publishedAt, lang) })}</span>
        </div>
        <div className="notice-body" data-testid="notice-body">
          {noticeParagraphs(n.body).map((paragraph, i) => <p key={i}>{paragraph}</p>)}
        </div>
      </article>
    );
  }
  return <SubPage title={t.noticeTitle} backTo={noticePaths.list}>{body}</SubPage>;
}
