import { Badge, Button, ErrorBlock, List, Skeleton, Tag } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { beijingDate } from '../ui/text.js';
import { noticeMessages } from './messages.js';
import { noticePaths } from './paths.js';
import { useNotices, type NoticeSummary } from './queries.js';
import './notices.css';

/**
 * 消息公告 (seeds 001, 004): the card centre's notices (the holiday payment-time tables) and the
 * school's (a university's 《学生宿舍控水器取水常见问题》), pinned first, unread ones marked.
 */
export function NoticesPage() {
  const t = useMessages(noticeMessages);
  const notices = useNotices();
  let body;
  if (notices.isPending) body = <Skeleton.Paragraph lineCount={6} animated data-testid="notices-loading" />;
  else if (notices.isError) body = <LoadFailed error={notices.error} onRetry={() => void notices.refetch()} />;
  else {
    const items = notices.data.pages.flatMap((page) => page.items);
    body = items.length === 0 ? (
      <ErrorBlock status="empty" title={t.noNotices} description={t.noNoticesHint} data-testid="notices-empty" />
    ) : (
      <>
        <List mode="card" data-testid="notices">
          {items.map((notice) => <NoticeRow key={notice.id} notice={notice} />)}
        </List>
        {notices.hasNextPage ? (
          <Button block fill="none" loading={notices.isFetchingNextPage} onClick={() => void notices.fetchNextPage()} data-testid="notices-more">{t.loadMore}</Button>
        ) : (
          <div className="muted" style={{ textAlign: 'center', padding: 8 }}>{t.noMore}</div>
        )}
      </>
    );
  }
  return <SubPage title={t.noticesTitle} backTo="/">{body}</SubPage>;
}

function NoticeRow({ notice }: { notice: NoticeSummary }) {
  const t = useMessages(noticeMessages);
  const { lang } = useLang();
  const navigate = useNavigate();
  return (
    <List.Item
      className="notice-item"
      data-testid="notice-item"
      data-notice-id={notice.id}
      data-read={notice.read}
      onClick={() => navigate(noticePaths.notice(notice.id))}
      prefix={<span className="notice-dot">{!notice.read && <Badge content={Badge.dot} aria-label={t.unread} data-testid="notice-unread" />}</span>}
      description={
        <>
          <div className="notice-excerpt">{notice.excerpt}</div>
          <div>{notice.cityWide ? t.cardCentre : notice.issuerName} · {beijingDate(notice.publishedAt, lang)}</div>
        </>
      }
    >
      <span className="notice-item-title">
        {notice.pinned && <Tag color="danger" fill="outline" data-testid="notice-pinned">{t.pinned}</Tag>}
        <span className="title">{notice.title}</span>
      </span>
    </List.Item>
  );
}
