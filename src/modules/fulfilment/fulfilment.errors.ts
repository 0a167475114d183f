import { fulfilmentLifecycleMessages as lifecycle } from '../../domain/fulfilment-lifecycle.js';
import { registerConstraintErrors, registerErrors } from '../../platform/errors.js';

// The state machines' refusals (src/domain/fulfilment-lifecycle.ts) carry their own messages; the codes and statuses never change.
registerErrors({
  FULFILMENT_IDENTITY_MISMATCH: { status: 422, zh: '填写的身份信息与学籍信息不一致，请核对姓名、证件号和教育ID', en: 'The identity details do not match the student record; check the name, ID number and education ID' },
  FULFILMENT_FEE_ORDER_UNSETTLED: { status: 409, zh: '上一笔补卡缴费订单的支付结果尚未确认，请稍后再试', en: 'The earlier fee order’s payment is not settled yet; try again shortly' },
  FULFILMENT_CARD_NOT_LOST: { status: 422, zh: '只有已挂失的卡才能补办，请先挂失', en: 'Only a card reported lost can be replaced; report the loss first' },
  FULFILMENT_NOT_K12: {
    status: 422,
    zh: '制卡信息确认和补卡申请仅适用于中小学生的北京通学生卡；高校校园卡请持身份证到自助设备补办',
    en: 'Card information confirmation and replacement applications are for primary and secondary school students’ Beijing-tong cards only; a university campus card is replaced with your ID card at a self-service kiosk',
  },
  FULFILMENT_WRONG_PRODUCT: { status: 422, zh: '该卡不能办理此项业务', en: 'This card cannot be handled by this service' },
  FULFILMENT_DAMAGED_CARD: { status: 422, zh: '学生卡补办需先挂失；按损坏补换仅适用于卡贴', en: 'A student card is replaced after a loss report; only a sticker is replaced as damaged' },
  FULFILMENT_STICKER_NOT_IN_USE: { status: 422, zh: '该卡贴已挂失或已作废，不能按损坏补换（已挂失的请按丢失申请）', en: 'This sticker is reported lost or void, so it cannot be replaced as damaged (apply as lost if it was reported lost)' },
  FULFILMENT_STICKER_STAGE: { status: 422, zh: '卡贴补换仅限初中、高中学生', en: 'Card stickers are replaced for middle and high school students only' },
  FULFILMENT_ALREADY_APPLIED: { status: 409, zh: '该卡已有补办申请', en: 'A replacement has already been applied for on this card' },
  FULFILMENT_APPLICATION_OPEN: {
    status: 409,
    zh: '该卡有办理中的补卡（补换卡贴）申请，不能退卡：可在缴费或制卡前撤回申请，或领取新卡后再办理退卡',
    en: 'This card has a replacement application in progress, so it cannot be returned: withdraw the application before it is paid or produced, or return the new card once you have it',
  },
  FULFILMENT_APPLICATION_NOT_FOUND: { status: 404, zh: '补办申请不存在', en: 'No such application' },
  FULFILMENT_STATUS_INVALID: { status: 409, ...lifecycle.FULFILMENT_STATUS_INVALID },
  FULFILMENT_NO_FEE: { status: 422, ...lifecycle.FULFILMENT_NO_FEE },
  FULFILMENT_ORDER_PENDING: { status: 409, ...lifecycle.FULFILMENT_ORDER_PENDING },
  FULFILMENT_HOLDER_NOT_ENROLLED: { status: 409, ...lifecycle.FULFILMENT_HOLDER_NOT_ENROLLED },
  FULFILMENT_HOLDER_STILL_ENROLLED: { status: 409, ...lifecycle.FULFILMENT_HOLDER_STILL_ENROLLED },
  FULFILMENT_HOLDER_LEFT_SCHOOL: { status: 409, ...lifecycle.FULFILMENT_HOLDER_LEFT_SCHOOL },
  FULFILMENT_CONFIRMATION_NOT_FOUND: { status: 404, zh: '暂无制卡信息确认记录', en: 'No card information confirmation for this student' },
  FULFILMENT_CONFIRMATION_STATUS: { status: 409, ...lifecycle.FULFILMENT_CONFIRMATION_STATUS },
  FULFILMENT_PHOTO_MISSING: {
    status: 422,
    zh: '照片尚未采集，请联系学校卡管员采集照片后再确认',
    en: 'No photo has been taken yet; ask the school card manager to take the photo, then confirm',
  },
  FULFILMENT_CORRECTION_INCOMPLETE: {
    status: 422,
    zh: '请为每一项有误的信息填写正确内容（照片有误请填写说明），同一项只报一次',
    en: 'Give the correct value for each wrong field (a note for the photo), each field once',
  },
  FULFILMENT_FIELD_NOT_REPORTABLE: {
    status: 422,
    zh: '教育ID由学籍系统分配，不能在制卡信息确认中更正；如有疑问请联系学校学籍管理员',
    en: 'The education ID is assigned by the student-status system and cannot be corrected here; ask the school’s student-status administrator',
  },
  FULFILMENT_BATCH_PHOTOS_MISSING: {
    status: 422,
    zh: '可制卡的申请均因学生尚未采集照片暂不制卡，请学校卡管员采集照片后再生成批次',
    en: 'Every application ready for production is held back because the student has no photo yet; generate the batch once the school has taken the photos',
  },
  FULFILMENT_BATCH_EMPTY: { status: 422, zh: '没有可制卡的申请（需已缴费且制卡信息已确认）', en: 'No application is ready for production (paid, with confirmed card information)' },
  FULFILMENT_BATCH_NOT_FOUND: { status: 404, zh: '制卡批次不存在', en: 'No such production batch' },
  FULFILMENT_BATCH_STATUS: { status: 409, ...lifecycle.FULFILMENT_BATCH_STATUS },
  FULFILMENT_DELIVERY_NOT_FOUND: { status: 404, zh: '配送记录不存在', en: 'No such delivery' },
  FULFILMENT_DELIVERY_STATUS: { status: 409, ...lifecycle.FULFILMENT_DELIVERY_STATUS },
  FULFILMENT_COURIER_FAILED: { status: 502, zh: '快递下单失败，请稍后重试', en: 'The courier did not accept the shipment; retry later' },
});

registerConstraintErrors({
  card_applications_one_per_card: 'FULFILMENT_ALREADY_APPLIED',
  card_applications_one_new_card: 'CONFLICT',
  card_confirmations_student_id_key: 'CONFLICT',
});
