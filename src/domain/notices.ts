import { DomainError } from './errors.js';
import { isCampusStage } from './campus-payments.js';

/**
 * 消息公告 (seeds 001, 004): notices the card centre publishes to the whole city (the holiday
 * payment-time tables of the student card management system's home page) and a school publishes
 * to its own students and their parents (a university's 《学生宿舍控水器取水常见问题》).
 */
export const noticeStatuses = ['draft', 'published', 'withdrawn'] as const;
export type NoticeStatus = (typeof noticeStatuses)[number];

/** Who a city-wide notice is for; a school's notice is for that school's students and their parents. */
export const noticeAudiences = ['all', 'k12', 'university'] as const;
export type NoticeAudience = (typeof noticeAudiences)[number];

export type NoticeEvent = 'edit' | 'publish' | 'withdraw';

/** Who a city-wide notice is from (seed 001: the student card management system's home page). */
export const cardCentreName = { zh: '北京市学生卡管理中心', en: 'Beijing Student Card Management Centre' } as const;

export const noticeTitleMax = 80;
export const noticeBodyMax = 5000;

/** The refusals of the status rules, with their messages (registered with a status in notices.errors.ts). */
export const noticeRuleErrors = {
  NOTICE_TRANSITION_INVALID: { zh: '公告当前状态不能进行此操作', en: 'The notice cannot do that in its present status' },
  NOTICE_WITHDRAWN: { zh: '公告已撤回，不能再修改', en: 'The notice was withdrawn and can no longer be edited' },
} as const;

const moves: Record<NoticeEvent, Partial<Record<NoticeStatus, NoticeStatus>>> = {
  // Edits keep the status: a draft is polished, a published notice corrected in place.
  edit: { draft: 'draft', published: 'published' },
  publish: { draft: 'published' },
  withdraw: { published: 'withdrawn' },
};

/**
 * The status after `event`: a draft is edited and published; a published notice is corrected or
 * withdrawn; a withdrawn one is final (a new notice replaces it). NOTICE_WITHDRAWN for an edit of a
 * withdrawn notice, NOTICE_TRANSITION_INVALID for any other move that is not allowed.
 */
export function nextNoticeStatus(status: NoticeStatus, event: NoticeEvent): NoticeStatus {
  const next = moves[event][status];
  if (next) return next;
  const code = event === 'edit' && status === 'withdrawn' ? 'NOTICE_WITHDRAWN' : 'NOTICE_TRANSITION_INVALID';
  const { zh, en } = noticeRuleErrors[code];
  throw new DomainError(code, zh, en, { status, event });
}

/** The city-wide audience a school's students belong to: primary, middle and high schools are K-12; universities and vocational colleges are 'university'. */
export function audienceOfStage(stage: 'primary' | 'middle' | 'high' | 'university' | 'vocational'): Exclude<NoticeAudience, 'all'> {
  return isCampusStage(stage) ? 'university' : 'k12';
}

/** The city-wide audiences that reach a reader whose children (or self) are in `stages`: always 'all'. */
export function audiencesReaching(stages: readonly Parameters<typeof audienceOfStage>[0][]): NoticeAudience[] {
  return ['all', ...new Set(stages.map(audienceOfStage))];
}

/** A notice's body as paragraphs: one per non-blank line, trimmed at the end. */
export function noticeParagraphs(body: string): string[] {
  return body.split(/\r?\n/).map((line) => line.trimEnd()).filter((line) => line.trim() !== '');
}

/** The start of a notice's body for a list: its paragraphs run together, cut at `max` characters with an ellipsis. */
export function noticeExcerpt(body: string, max = 60): string {
  const text = noticeParagraphs(body).map((p) => p.trim()).join(' ');
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max).join('')}…`;
}
