import { noticeRuleErrors } from '../../domain/notices.js';
import { registerErrors } from '../../platform/errors.js';

registerErrors({
  // A notice the caller may not read is "not found" too: its existence is not told.
  NOTICE_NOT_FOUND: { status: 404, zh: '公告不存在或已撤回', en: 'No such notice, or it was withdrawn' },
  NOTICE_TRANSITION_INVALID: { status: 409, ...noticeRuleErrors.NOTICE_TRANSITION_INVALID },
  NOTICE_WITHDRAWN: { status: 409, ...noticeRuleErrors.NOTICE_WITHDRAWN },
  NOTICE_SCOPE_INVALID: { status: 400, zh: '公告须发给全市（并选择面向对象）或一所学校，二者选一', en: 'A notice goes either to the whole city (with its audience) or to one school, not both or neither' },
  NOTICE_CITY_WIDE_OPERATORS_ONLY: { status: 403, zh: '全市公告由卡务中心运营人员发布，学校卡管员只能发布本校公告', en: 'Only the card centre’s operators write city-wide notices; a school card manager writes their school’s' },
  NOTICE_SCHOOL_UNKNOWN: { status: 422, zh: '没有这所学校', en: 'No such school' },
});
