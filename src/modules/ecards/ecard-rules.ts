import { normaliseIdNumber } from '../../domain/id-number.js';
import type { PhoneDescription } from '../../domain/phone-eligibility.js';
import type { CardDevice, CardStage } from '../cards/cards.tables.js';

/** Pure rules of the e-cards module (no I/O; dates are Beijing calendar dates, YYYY-MM-DD). */

/** The user agreement the opening wizard shows; an opening records the version it accepted. */
export const ecardAgreement = {
  version: '2026-09',
  title: { zh: '北京市电子学生卡用户协议', en: 'Beijing student e-card user agreement' },
  body: {
    zh: '一、电子学生卡仅限持卡学生本人使用，享受学生乘车优惠。二、开通电子学生卡后，原实体学生卡的交通功能不能再充值和延期，卡内余额仍可使用。三、每名学生只能有一张正常使用的学生交通卡。四、手机遗失请立即挂失（暂停），挂失后不能充值和延期，可在新手机上重新开通并转移余额。五、我们按照《个人信息保护法》处理学生的个人信息；未满 14 周岁的学生须经监护人同意。',
    en: '1. The e-card is for the student holder only and carries the student transit discount. 2. Once the e-card is open, the physical student card can no longer be topped up or extended for transit; what is on it can still be spent. 3. A student may hold only one student transit card in normal use. 4. If the phone is lost, suspend the e-card at once; a suspended card cannot be topped up or extended, and can be moved to a new phone with its balance. 5. Personal information is processed under PIPL; a student under 14 needs a guardian’s consent.',
  },
} as const;

export type UpgradeKind = '小升初' | '初升高';

/** The stage a K-12 e-card is upgraded to on promotion, or null (high school is the last). */
export function nextStage(stage: CardStage | null): CardStage | null {
  if (stage === 'primary') return 'middle';
  if (stage === 'middle') return 'high';
  return null;
}

export function upgradeKind(from: CardStage | null): UpgradeKind | null {
  if (from === 'primary') return '小升初';
  if (from === 'middle') return '初升高';
  return null;
}

/**
 * University e-cards end on 30 September (seed 002/003); opening or extending on or after 30 July
 * (the extension window) runs to the next year's 30 September, before it to this year's.
 */
export function universityValidUntil(today: string): string {
  const year = Number(today.slice(0, 4));
  return today.slice(5) >= '07-30' ? `${year + 1}-09-30` : `${year}-09-30`;
}

/** The first day a card valid until `validUntil` may be extended: 30 July of that year. */
export function extensionOpensOn(validUntil: string): string {
  return `${validUntil.slice(0, 4)}-07-30`;
}

export interface K12Proof {
  schoolId: string;
  name: string;
  idNumber: string;
  educationId: string;
}

export interface UniversityProof {
  schoolId: string;
  name: string;
  studentNo: string;
  idNumber: string;
}

interface RosterRow {
  school_id: string;
  name: string;
  id_number: string;
  education_id: string;
  student_no: string | null;
}

const sameName = (a: string, b: string) => a.trim().replace(/\s+/g, ' ') === b.trim().replace(/\s+/g, ' ');

/** 实名认证 for a K-12 e-card: school, name, ID number and education ID as the roster has them. */
export function matchesK12Roster(row: RosterRow, proof: K12Proof): boolean {
  return row.school_id === proof.schoolId && sameName(row.name, proof.name) && row.id_number === normaliseIdNumber(proof.idNumber) && row.education_id === proof.educationId.trim();
}

/** 实名认证 for a university e-card (seed 002): school, name, student number and ID number. */
export function matchesUniversityRoster(row: RosterRow, proof: UniversityProof): boolean {
  return (
    row.school_id === proof.schoolId &&
    sameName(row.name, proof.name) &&
    row.student_no !== null &&
    row.student_no === proof.studentNo.trim() &&
    row.id_number === normaliseIdNumber(proof.idNumber)
  );
}

/** What the card keeps of the phone (cards.device). */
export function deviceOf(phone: PhoneDescription): CardDevice {
  const brand = { huawei: 'HUAWEI', honor: 'HONOR', xiaomi: 'Xiaomi', apple: 'Apple' }[phone.brand];
  const model = phone.model.trim();
  return {
    model: model.toLowerCase().startsWith(brand.toLowerCase()) ? model : `${brand} ${model}`,
    os: phone.os,
    osVersion: phone.osVersion.trim(),
    walletVersion: phone.brand === 'apple' || phone.xiaomiChannel === 'dev' ? null : (phone.walletVersion?.trim() ?? null),
  };
}
