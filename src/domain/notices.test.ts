import { describe, expect, it } from 'vitest';
import { audienceOfStage, audiencesReaching, nextNoticeStatus, noticeExcerpt, noticeParagraphs, noticeStatuses, type NoticeEvent } from './notices.js';

describe('notice status (消息公告)', () => {
  it('goes draft → published → withdrawn; drafts and published notices are edited in place', () => {
    expect(nextNoticeStatus('draft', 'publish')).toBe('published');
    expect(nextNoticeStatus('published', 'withdraw')).toBe('withdrawn');
    expect(nextNoticeStatus('draft', 'edit')).toBe('draft');
    expect(nextNoticeStatus('published', 'edit')).toBe('published');
  });

  it('refuses a withdrawn notice’s edit with NOTICE_WITHDRAWN', () => {
    expect(() => nextNoticeStatus('withdrawn', 'edit')).toThrow(expect.objectContaining({ code: 'NOTICE_WITHDRAWN', details: { status: 'withdrawn', event: 'edit' } }));
  });

  it('refuses publishing twice, withdrawing a draft and anything after withdrawal', () => {
    for (const [status, event] of [['published', 'publish'], ['draft', 'withdraw'], ['withdrawn', 'publish'], ['withdrawn', 'withdraw']] as const) {
      expect(() => nextNoticeStatus(status, event), `${status} ${event}`).toThrow(expect.objectContaining({ code: 'NOTICE_TRANSITION_INVALID' }));
    }
  });

  it('never leaves the known statuses, and a withdrawn notice is final', () => {
    const events: NoticeEvent[] = ['edit', 'publish', 'withdraw'];
    for (const status of noticeStatuses) {
      for (const event of events) {
        let next: string | undefined;
        try {
          next = nextNoticeStatus(status, event);
        } catch {
          next = undefined;
        }
        if (next !== undefined) expect(noticeStatuses).toContain(next);
        if (status === 'withdrawn') expect(next).toBeUndefined();
      }
    }
  });
});

describe('notice audiences', () => {
  it('put primary, middle and high schools in K-12, universities and vocational colleges in university', () => {
    expect(['primary', 'middle', 'high'].map((s) => audienceOfStage(s as 'primary'))).toEqual(['k12', 'k12', 'k12']);
    expect(audienceOfStage('university')).toBe('university');
    expect(audienceOfStage('vocational')).toBe('university');
  });

  it('reach everyone with all, and each child’s stage once', () => {
    expect(audiencesReaching([])).toEqual(['all']);
    expect(audiencesReaching(['primary', 'middle'])).toEqual(['all', 'k12']);
    expect(audiencesReaching(['high', 'university'])).toEqual(['all', 'k12', 'university']);
  });
});

describe('notice text', () => {
  it('keeps paragraphs by newline, dropping blank lines', () => {
    expect(noticeParagraphs('第一段\r\n\n  第二段  \n')).toEqual(['第一段', '  第二段']);
  });

  it('makes a one-line excerpt cut by characters, not UTF-16 units', () => {
    expect(noticeExcerpt('一\n二', 10)).toBe('一 二');
    expect(noticeExcerpt('😀'.repeat(5), 3)).toBe('😀😀😀…');
  });
});
