import type { SchoolStage } from '../../../../src/platform/db/schema.js';
import { fill } from '../../../shared/i18n.js';
import type { accountMessages } from '../account/messages.js';

type AccountText = (typeof accountMessages)['zh-CN'];

/** 小学 / Primary school; an unknown stage is shown as the server sent it. */
export function stageLabel(t: AccountText, stage: string): string {
  const key = `stage_${stage as SchoolStage}` as const;
  return key in t ? t[key] : stage;
}

/** The relations the app offers are stored in Chinese, as schools record them, and shown translated. */
export const relations = ['父亲', '母亲', '其他监护人'] as const;

export function relationLabel(t: AccountText, relation: string | null): string | null {
  if (relation === null) return null;
  const key = `relation_${relation}`;
  return key in t ? t[key as `relation_${(typeof relations)[number]}`] : relation;
}

/**
 * What tells a parent's children apart when their masked names are alike (张** and 张**): the
 * school, the class and, for a card, its masked number (maskCardNo's last digits), whichever are known.
 */
export function holderTag(t: AccountText, holder: { schoolName?: string | null | undefined; grade: number | null; classNo: string | null; cardNoMasked?: string | null | undefined }): string {
  return [holder.schoolName, classLabel(t, holder.grade, holder.classNo), holder.cardNoMasked].filter(Boolean).join(' · ');
}

/** 3年级2班 / Grade 3, class 2, or whatever part is known. */
export function classLabel(t: AccountText, grade: number | null, classNo: string | null): string | null {
  if (grade === null) return null;
  return classNo === null ? fill(t.grade, { grade }) : fill(t.gradeClass, { grade, classNo });
}
