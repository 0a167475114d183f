import { registerConstraintErrors, registerErrors } from '../../platform/errors.js';

/** Transit server-side error codes (per-tap outcomes are not errors: they travel in the batch answer). */
registerErrors({
  TERMINAL_NOT_YOURS: { status: 403, zh: '终端只能为自己上传或查询', en: 'A terminal may only act for itself' },
  TERMINAL_DISABLED: { status: 403, zh: '终端已停用', en: 'This terminal is disabled' },
  TRANSIT_CURSOR_INVALID: { status: 400, zh: '游标无效', en: 'The cursor is invalid' },
  TRANSIT_BATCH_CONFLICT: { status: 409, zh: '同一卡计数器正被另一终端同时上传，请重试', en: 'Another upload settled the same card counter at the same moment; retry' },
  CARD_ACTION_INVALID: { status: 422, zh: '卡片待写入操作无效', en: 'The card action is invalid' },
});

registerConstraintErrors({
  transit_taps_card_counter: 'TRANSIT_BATCH_CONFLICT',
  transit_taps_pkey: 'TRANSIT_BATCH_CONFLICT',
});
