import { Link } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { noticeMessages } from './messages.js';
import { noticePaths } from './paths.js';

/** 查看消息公告: where a screen says the schedule is announced (seed 001: holiday payment times are published as 公告). */
export function NoticesLink() {
  const t = useMessages(noticeMessages);
  return <Link to={noticePaths.list} data-testid="see-notices">{t.seeNotices}</Link>;
}
