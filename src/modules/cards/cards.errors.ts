import { registerConstraintErrors, registerErrors } from '../../platform/errors.js';

registerErrors({
  CARD_NOT_FOUND: { status: 404, zh: '卡片不存在', en: 'No such card' },
  CARD_NO_FORMAT: { status: 400, zh: '卡号格式不正确', en: 'The card number is not in a recognised format' },
  CARD_NO_CHECK_DIGIT: { status: 400, zh: '卡号校验位不正确，请核对卡号', en: 'The card number’s check digit is wrong; please check the number' },
  CARD_TRANSITION_INVALID: { status: 409, zh: '当前卡状态不能执行该操作', en: 'The card’s status does not allow this' },
  CARD_ONE_ACTIVE: { status: 409, zh: '每名学生只能有一张有效的学生交通卡', en: 'A student may hold only one active student transit card' },
  CARD_NO_TAKEN: { status: 409, zh: '该卡号已被使用', en: 'That card number is already in use' },
  CARD_NOT_TOP_UP_ABLE: { status: 422, zh: '该卡当前不能充值，请联系学校卡管理员', en: 'This card cannot be topped up at present; contact the school card manager' },
});

registerConstraintErrors({
  cards_one_active_transit: 'CARD_ONE_ACTIVE',
  cards_card_no_key: 'CARD_NO_TAKEN',
});
