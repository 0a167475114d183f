import { registerErrors } from '../../platform/errors.js';

registerErrors({
  STAFF_USERNAME_TAKEN: { status: 409, zh: '用户名已被使用', en: 'That username is taken' },
  STAFF_SCHOOL_REQUIRED: { status: 400, zh: '学校卡管员必须指定学校', en: 'A school card manager needs a school' },
});
