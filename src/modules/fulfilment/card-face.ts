import { firstGradeOf, graduationDate as stageGraduationDate } from '../../domain/graduation.js';
import { maskName } from '../../domain/masking.js';
import { fail } from '../../platform/errors.js';
import './fulfilment.errors.js';
import type { CardFace, ConfirmationField, Correction } from './fulfilment.schemas.js';
import type { FaceSource } from './fulfilment.repository.js';

/** Pure rules of the card face and of the labels fulfilment shows; no I/O. */

/**
 * 有效期 (seed 001: "according to the graduation time"): when the student leaves the stage
 * (src/domain/graduation.ts); without a class the student is taken to be in the stage's first year.
 */
export function graduationDate(stage: FaceSource['stage'], grade: number | null, today: string): string {
  return stageGraduationDate(stage, grade ?? firstGradeOf(stage), today);
}

export function cardFaceOf(source: FaceSource, today: string): CardFace {
  return {
    schoolName: source.school_name,
    name: source.name,
    nameMasked: maskName(source.name),
    gender: source.gender,
    educationId: source.education_id,
    validUntil: graduationDate(source.stage, source.grade, today),
    hasPhoto: source.has_photo,
  };
}

const k12Stages = ['primary', 'middle', 'high'] as const;

/**
 * 制卡信息确认 and 补卡 / 补换卡贴 are the K-12 card centre's services (seed 000, 001): a university
 * or vocational student (whose campus card is replaced at the kiosk, seed 004) is refused with
 * FULFILMENT_NOT_K12, and so is a university's school when its confirmations are opened.
 */
export function assertK12Stage(stage: string): void {
  if (!(k12Stages as readonly string[]).includes(stage)) throw fail('FULFILMENT_NOT_K12', { stage });
}

/**
 * The fields a family may report wrong (信息有误). Not the education ID: the city's student-status
 * system gives it for life, the student signs in with it, and no one here can change it; a family who
 * finds it wrong asks the school's 学籍 administrator (docs/cards.md, "What a family may report").
 */
export const reportableFields: readonly ConfirmationField[] = ['schoolName', 'name', 'gender', 'validUntil', 'photo'];

/**
 * A report the school can act on: each field once, a text field with what it should say (a gender
 * as M or F), the photo with a note saying what is wrong with it (the school takes a new one).
 * Refused with the first field that falls short named in the details.
 */
export function assertCorrectionsComplete(corrections: readonly Correction[]): void {
  const seen = new Set<ConfirmationField>();
  for (const c of corrections) {
    if (!reportableFields.includes(c.field)) throw fail('FULFILMENT_FIELD_NOT_REPORTABLE', { field: c.field });
    if (seen.has(c.field)) throw fail('FULFILMENT_CORRECTION_INCOMPLETE', { field: c.field, reason: 'repeated' });
    seen.add(c.field);
    if (c.field === 'photo' ? !c.note : !c.correctValue) throw fail('FULFILMENT_CORRECTION_INCOMPLETE', { field: c.field, missing: c.field === 'photo' ? 'note' : 'correctValue' });
    if (c.field === 'gender' && c.correctValue !== 'M' && c.correctValue !== 'F') throw fail('FULFILMENT_CORRECTION_INCOMPLETE', { field: c.field, reason: 'gender is M or F' });
  }
}

/** Whether a student of this stage holds a sticker (卡贴) with the card: middle and high school (seed 000). */
export function stageHasSticker(stage: FaceSource['stage']): boolean {
  return stage === 'middle' || stage === 'high';
}

/** 类别 (seed 000): 1 primary, 2 middle, 3 high. */
export function categoryOf(stage: FaceSource['stage']): string {
  return stage === 'primary' ? '1' : stage === 'middle' ? '2' : stage === 'high' ? '3' : '-';
}

/** What each 类别 means, for the screens that show it. */
export const stageLabels: Record<FaceSource['stage'], { zh: string; en: string }> = {
  primary: { zh: '小学', en: 'Primary school' },
  middle: { zh: '初中', en: 'Middle school' },
  high: { zh: '高中', en: 'High school' },
  university: { zh: '高校', en: 'University' },
  vocational: { zh: '职业院校', en: 'Vocational school' },
};

export const confirmationStatusLabels = {
  pending: { zh: '待确认', en: 'Waiting for confirmation' },
  reported: { zh: '信息有误，待学校修改', en: 'Errors reported; waiting for the school' },
  confirmed: { zh: '已确认', en: 'Confirmed' },
} as const;

export const applicationStatusLabels = {
  awaiting_payment: { zh: '待缴费', en: 'Awaiting payment' },
  ready_for_production: { zh: '待制卡', en: 'Waiting for production' },
  in_production: { zh: '制卡中', en: 'In production' },
  produced: { zh: '制卡完成', en: 'Produced' },
  dispatched: { zh: '配送中', en: 'On its way' },
  delivery_failed: { zh: '配送失败，退回制卡中心中', en: 'Delivery failed; going back to the card centre' },
  returned_to_centre: { zh: '已退回制卡中心，请选择配送方式', en: 'Back at the card centre; choose how to receive it' },
  delivered: { zh: '待领取', en: 'Ready for pickup' },
  completed: { zh: '已领取', en: 'Picked up' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
} as const;

export const stepLabels = {
  applied: { zh: '提交申请', en: 'Applied' },
  paid: { zh: '缴费成功', en: 'Fee paid' },
  in_production: { zh: '进入制卡批次', en: 'In a production batch' },
  exported: { zh: '制卡数据已导出', en: 'Sent to the card printer' },
  produced: { zh: '制卡完成', en: 'Card produced' },
  dispatched: { zh: '已配送', en: 'Dispatched' },
  delivery_failed: { zh: '快递派送失败', en: 'Courier delivery failed' },
  returned_to_centre: { zh: '已退回制卡中心', en: 'Returned to the card centre' },
  redispatched: { zh: '重新配送', en: 'Sent out again' },
  delivered: { zh: '已送达', en: 'Delivered' },
  picked_up: { zh: '已领卡，新卡启用', en: 'Picked up; the new card is active' },
  balance_moved: { zh: '原卡余额已转入新卡', en: 'Old card’s balance moved to the new card' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
  voided: { zh: '已作废（学生已不在该校就读）', en: 'Voided (the student is no longer enrolled at the school)' },
} as const;

export const batchStatusLabels = {
  created: { zh: '已创建', en: 'Created' },
  exported: { zh: '已导出', en: 'Exported' },
  produced: { zh: '已制卡', en: 'Produced' },
  dispatched: { zh: '已配送', en: 'Dispatched' },
} as const;

export const deliveryStatusLabels = {
  created: { zh: '待揽收', en: 'Waiting for the courier' },
  in_transit: { zh: '运输中', en: 'In transit' },
  delivered: { zh: '已送达', en: 'Delivered' },
  failed: { zh: '配送失败，退回中', en: 'Not delivered; being returned' },
  returned: { zh: '已退回制卡中心', en: 'Returned to the card centre' },
} as const;

export const reasonLabels = {
  lost: { zh: '丢失', en: 'Lost' },
  damaged: { zh: '损坏', en: 'Damaged' },
  new: { zh: '新生制卡', en: 'First card' },
} as const;

/** The card each kind of application makes. */
export const productOfKind = { replacement: 'k12_card', sticker: 'k12_sticker', new_card: 'k12_card' } as const;

export const productLabels = {
  k12_card: { zh: '北京通学生卡', en: 'Beijing-tong student card' },
  k12_sticker: { zh: '学生卡贴', en: 'Student card sticker' },
} as const;

/** The courier's cash-on-delivery fee for a home delivery is at most ¥15 in the city (seed 000). */
export const homeDeliveryCodMaxFen = 1_500;
/** 北京市中小学生学习卡补卡工本费 (fee code 174011). */
export const replacementFeeCode = '174011';
export const replacementFeeFen = 1_500;
/** Production takes 20 working days from payment (seed 001). */
export const productionWorkingDays = 20;
export const defaultSettlementWindowDays = 3;
