import { cardCentreName } from '../../../../src/domain/notices.js';
import type { Messages } from '../../../shared/i18n.js';

/** 消息公告 (seeds 001, 004): the card centre's and the school's notices. */
const zh = {
  noticesTitle: '消息公告',
  noticesEntry: '消息公告',
  noticeTitle: '公告详情',
  noNotices: '暂无公告',
  noNoticesHint: '学生卡管理中心和学校发布的公告会显示在这里',
  pinned: '置顶',
  unread: '未读',
  cardCentre: cardCentreName.zh,
  publishedAt: '发布于 {date}',
  loadMore: '加载更多',
  noMore: '没有更多了',
  noticeMissing: '公告不存在或已撤回',
  backToList: '返回公告列表',
  unreadCount: '{n} 条未读',
  seeNotices: '查看消息公告',
} as const;

type Key = keyof typeof zh;

export const noticeMessages: Messages<Key> = {
  'zh-CN': zh,
  en: {
    noticesTitle: 'Notices',
    noticesEntry: 'Notices',
    noticeTitle: 'Notice',
    noNotices: 'No notices yet',
    noNoticesHint: 'Notices from the student card centre and your school appear here',
    pinned: 'Pinned',
    unread: 'Unread',
    cardCentre: cardCentreName.en,
    publishedAt: 'Published {date}',
    loadMore: 'Load more',
    noMore: 'No more',
    noticeMissing: 'No such notice, or it was withdrawn',
    backToList: 'Back to the notices',
    unreadCount: '{n} unread',
    seeNotices: 'See the notices',
  },
};
