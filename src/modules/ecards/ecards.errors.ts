import { registerConstraintErrors, registerErrors } from '../../platform/errors.js';
import '../cards/cards.errors.js';
import '../identity/identity.errors.js';
import '../payments/payments.errors.js';

registerErrors({
  ECARD_PHONE_INELIGIBLE: { status: 422, zh: '该手机暂不能开通电子学生卡', en: 'This phone cannot hold a student e-card' },
  ECARD_SCHOOL_NOT_K12: { status: 422, zh: '请选择中小学校', en: 'Choose a primary, middle or high school' },
  ECARD_REAL_NAME_FAILED: { status: 400, zh: '实名信息核验未通过，请检查学校、姓名、证件号、教育ID 是否有误', en: 'The real-name details did not match the school roster; check the school, name and numbers for typos' },
  ECARD_NOT_ENROLLED: { status: 422, zh: '学籍状态不是在读，不能办理电子学生卡', en: 'Only enrolled students can hold a student e-card' },
  ECARD_CONSENT_REQUIRED: { status: 422, zh: '未满 14 周岁的学生开通电子学生卡需监护人同意', en: 'A student under 14 needs a guardian’s consent to open an e-card' },
  ECARD_AGREEMENT_REQUIRED: { status: 422, zh: '请阅读并同意《电子学生卡用户协议》', en: 'Read and accept the e-card user agreement' },
  ECARD_ALREADY_OPEN: { status: 409, zh: '已开通电子学生卡，无需重复开通', en: 'The student already has an e-card' },
  ECARD_NOT_K12: { status: 422, zh: '该卡不是中小学电子学生卡', en: 'This is not a K-12 e-card' },
  ECARD_NOT_UNIVERSITY: { status: 422, zh: '该卡不是高校电子学生卡', en: 'This is not a university e-card' },
  ECARD_UPGRADE_NOT_NEEDED: { status: 409, zh: '学籍尚未显示升学，暂不能升级：升学后请等新学校卡管员更新学籍后再办理', en: 'The roster does not show the promotion yet: once the new school’s card manager has updated it, upgrade here' },
  ECARD_UPGRADE_SCHOOL_MISMATCH: { status: 409, zh: '所选学校与学籍信息不一致：请选择学籍所在的新学校；如学籍有误，请联系学校卡管员更正', en: 'The chosen school is not the one on the roster: choose the school the student is enrolled in, or ask its card manager to correct the roster' },
  ECARD_NOT_SUSPENDED: { status: 409, zh: '请先挂失（暂停）原手机上的电子学生卡', en: 'Suspend the e-card on the lost phone first' },
  ECARD_NOT_ACTIVE: { status: 409, zh: '该卡当前状态不能办理此业务', en: 'The card’s status does not allow this' },
  ECARD_UNIVERSITY_INELIGIBLE: { status: 422, zh: '不符合高校电子学生卡的申领条件', en: 'The student is not eligible for a university e-card' },
  ECARD_LINKED_CARD_TAKEN: { status: 409, zh: '该交通联合卡已关联其他电子学生卡', en: 'That interoperable card is already linked to another e-card' },
  ECARD_EXTENSION_NOT_YET: { status: 422, zh: '每年 7 月 30 日后方可办理延期', en: 'Extension opens on 30 July' },
  ECARD_PHONE_MODEL_UNKNOWN: { status: 404, zh: '机型列表中没有该机型', en: 'That model is not on the list' },
});

registerConstraintErrors({
  cards_linked_card_live: 'ECARD_LINKED_CARD_TAKEN',
});
