import { registerConstraintErrors, registerErrors } from '../../platform/errors.js';

registerErrors({
  CARD_EXTENSION_WINDOW_CLOSED: { status: 422, zh: '当前不在学生卡延期办理时间内', en: 'Card extension is not open at this time' },
  CARD_EXTENSION_WINDOW_INVALID: { status: 400, zh: '延期办理时间设置不正确：结束日期不能早于开始日期，且开始日期须在该年度内', en: 'The extension window is invalid: the end may not precede the start, and the start must fall in that year' },
  CARD_EXTENSION_PRODUCT: { status: 422, zh: '该卡不办理中小学生卡年度延期', en: 'This card is not extended by the K-12 yearly extension' },
  CARD_EXTENSION_LOST: { status: 409, zh: '卡片已挂失，不能延期', en: 'A card reported lost cannot be extended' },
  CARD_EXTENSION_SUPERSEDED: { status: 409, zh: '已开通电子学生卡，实体卡不能延期', en: 'An e-card has taken over transit; this card cannot be extended' },
  CARD_EXTENSION_STATUS: { status: 409, zh: '卡片不是正常状态，不能延期', en: 'The card is not in normal status and cannot be extended' },
  CARD_EXTENSION_DONE: { status: 409, zh: '该卡本年度已办理延期', en: 'This card has already been extended this year' },
  CARD_EXTENSION_GRADUATION: { status: 422, zh: '学生卡有效期已到毕业时间，不能再延期', en: 'The card is already valid until the student’s graduation; it cannot be extended further' },
  CARD_RETURN_NEGATIVE_BALANCE: { status: 422, zh: '卡内余额为负，请先充值补足后再退卡', en: 'The card’s balance is negative; top it up to zero before returning it' },
  CARD_RETURN_ROLE: { status: 403, zh: '退卡须由持卡人、家长或运营人员办理', en: 'A card is returned by its holder, a parent or an operator' },
  CARD_BALANCE_TOO_LOW: { status: 422, zh: '校园卡余额须大于补卡工本费（16 元）', en: 'The campus card balance must exceed the ¥16 replacement fee' },
  CARD_IDENTITY_MISMATCH: { status: 403, zh: '身份证号与持卡人不符', en: 'The ID number does not match the card holder' },
  CAMPUS_CARD_NONE: { status: 404, zh: '未找到可补办的校园卡', en: 'No campus card that can be replaced was found' },
  TEMPORARY_CARD_OPEN: { status: 409, zh: '该学生已有在用的临时卡', en: 'The student already holds a temporary card in use' },
  CAMPUS_CARD_EXISTS: { status: 409, zh: '该学生已有正式校园卡', en: 'The student already holds a formal campus card' },
  TEMPORARY_CARD_EXPECTED: { status: 422, zh: '该卡不是临时卡', en: 'That card is not a temporary card' },
});

registerConstraintErrors({
  card_extensions_card_id_window_year_key: 'CARD_EXTENSION_DONE',
  card_returns_card_id_key: 'CARD_TRANSITION_INVALID',
});
