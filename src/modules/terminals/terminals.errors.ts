import { registerErrors } from '../../platform/errors.js';

registerErrors({
  TERMINAL_CODE_TAKEN: { status: 409, zh: '终端编号已存在', en: 'A terminal with this code exists' },
});
