/**
 * Which phones can hold a student e-card (seed 003, "支持机型" and the version rules). Pure: the
 * model list and the minimum versions are data (the ecard_phone_models / ecard_phone_requirements
 * tables, seeded from seed 003 by migration 0010) and are passed in.
 */

export type PhoneBrand = 'huawei' | 'honor' | 'xiaomi' | 'apple';
export type PhoneOs = 'android' | 'harmonyos' | 'ios';
/** Xiaomi ships a stable and a developer system; each has its own version rule. */
export type XiaomiChannel = 'stable' | 'dev';

export interface PhoneDescription {
  brand: PhoneBrand;
  /** As the phone names itself (设置 → 关于手机), e.g. "HUAWEI Mate 40 Pro", "iPhone 13 mini". */
  model: string;
  os: PhoneOs;
  /** The OS version; for a Xiaomi developer build the MIUI system version (e.g. 21.7.27). */
  osVersion: string;
  nfcEnabled: boolean;
  /** Huawei/Honor: Huawei Wallet; Xiaomi stable: the 小米智能卡 app; iPhone: not used. */
  walletVersion?: string | null;
  xiaomiChannel?: XiaomiChannel | null;
  /** The Beijing Yikatong app's version. */
  appVersion: string;
}

/** Minimum versions (seed 003), keyed as in the ecard_phone_requirements table. */
export interface PhoneRequirements {
  app: string;
  huaweiWallet: string;
  xiaomiSmartCardStable: string;
  xiaomiSystemDev: string;
  ios: string;
}

export interface SupportedModel {
  brand: PhoneBrand;
  /** As the seed lists it, e.g. "Mate 40 RS 保时捷设计", "小米12系列", "iPhone XR". */
  name: string;
  /** "…系列": every model whose name continues the series name (小米12 Pro, iPhone 14 Pro Max). */
  series: boolean;
}

export type IneligibleReason =
  | 'NFC_OFF'
  | 'APP_TOO_OLD'
  | 'OS_MISMATCH'
  | 'IOS_TOO_OLD'
  | 'WALLET_MISSING'
  | 'WALLET_TOO_OLD'
  | 'XIAOMI_CHANNEL_MISSING'
  | 'XIAOMI_SMART_CARD_TOO_OLD'
  | 'XIAOMI_SYSTEM_TOO_OLD'
  | 'VERSION_UNREADABLE'
  | 'MODEL_NOT_SUPPORTED';

export interface EligibilityProblem {
  reason: IneligibleReason;
  /** The version the rule asks for (when the reason is a version). */
  required?: string;
  actual?: string | null;
  zh: string;
  en: string;
}

export interface Eligibility {
  eligible: boolean;
  /** Every rule the phone breaks, so the screen can say all of what to fix at once. */
  problems: EligibilityProblem[];
  /** The list entry the phone matched, if any. */
  matchedModel: SupportedModel | null;
}

const versionPattern = /^\d+(\.\d+)*$/;

export function isVersion(value: string | null | undefined): value is string {
  return typeof value === 'string' && versionPattern.test(value.trim());
}

/**
 * Compares dotted versions numerically, segment by segment; a missing segment counts as 0
 * ("13.4" = "13.4.0" < "13.10"). Throws on a malformed version (check with isVersion first).
 */
export function compareVersions(a: string, b: string): number {
  if (!isVersion(a) || !isVersion(b)) throw new RangeError(`not a version: ${a} / ${b}`);
  const x = a.trim().split('.').map(Number);
  const y = b.trim().split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Brand words, spaces and case do not matter: "HUAWEI Mate 50" and "Mate50" are one phone. */
export function normaliseModel(name: string): string {
  return name
    .toLowerCase()
    .replace(/系列$/u, '')
    .replace(/\s+/g, '')
    .replace(/^(huawei|honor|荣耀|xiaomi|小米|apple)/u, '');
}

/**
 * Whether a phone's model is the listed one: exact after normalising, or, for a series, the
 * series name followed by anything but another digit ("小米12" covers 小米12 Pro and 小米12X
 * but not 小米120).
 */
export function modelMatches(phoneModel: string, entry: SupportedModel): boolean {
  const phone = normaliseModel(phoneModel);
  const listed = normaliseModel(entry.name);
  if (listed === '') return false;
  if (!entry.series) return phone === listed;
  if (!phone.startsWith(listed)) return false;
  const next = phone.charAt(listed.length);
  return next === '' || !/\d/.test(next);
}

const brandOs: Record<PhoneBrand, readonly PhoneOs[]> = {
  huawei: ['android', 'harmonyos'],
  honor: ['android', 'harmonyos'],
  xiaomi: ['android'],
  apple: ['ios'],
};

const brandNames: Record<PhoneBrand, { zh: string; en: string }> = {
  huawei: { zh: '华为', en: 'Huawei' },
  honor: { zh: '荣耀', en: 'Honor' },
  xiaomi: { zh: '小米', en: 'Xiaomi' },
  apple: { zh: '苹果', en: 'Apple' },
};

/**
 * Checks a phone against seed 003: NFC on; the Yikatong app ≥ 6.0.0.1; Huawei/Honor with
 * Huawei Wallet ≥ 9.0.13.304; Xiaomi stable with the smart card app ≥ 21.08.09.1 or Xiaomi
 * developer system ≥ 21.7.27; iPhone on iOS ≥ 13.4; and the model on the brand's list.
 */
export function checkPhoneEligibility(phone: PhoneDescription, requirements: PhoneRequirements, models: readonly SupportedModel[]): Eligibility {
  const problems: EligibilityProblem[] = [];
  const atLeast = (actual: string | null | undefined, required: string, tooOld: IneligibleReason, zhName: string, enName: string, missing: IneligibleReason = 'VERSION_UNREADABLE') => {
    if (actual === null || actual === undefined || actual.trim() === '') {
      problems.push({ reason: missing, required, actual: null, zh: `请填写${zhName}版本号`, en: `Give the ${enName} version` });
    } else if (!isVersion(actual)) {
      problems.push({ reason: 'VERSION_UNREADABLE', required, actual, zh: `${zhName}版本号“${actual}”无法识别`, en: `The ${enName} version “${actual}” is not a version number` });
    } else if (compareVersions(actual, required) < 0) {
      problems.push({ reason: tooOld, required, actual, zh: `${zhName}版本须为 ${required} 及以上（当前 ${actual}），请先升级`, en: `${enName} must be ${required} or later (this phone has ${actual}); please update` });
    }
  };

  if (!phone.nfcEnabled) problems.push({ reason: 'NFC_OFF', zh: '请先在手机设置中打开 NFC 功能', en: 'Turn NFC on in the phone’s settings first' });
  atLeast(phone.appVersion, requirements.app, 'APP_TOO_OLD', '北京一卡通 App ', 'Beijing Yikatong app');

  if (!brandOs[phone.brand].includes(phone.os)) {
    problems.push({ reason: 'OS_MISMATCH', zh: `${brandNames[phone.brand].zh}手机不能使用该操作系统开通电子学生卡`, en: `A ${brandNames[phone.brand].en} phone cannot open an e-card on this operating system` });
  } else if (phone.brand === 'apple') {
    atLeast(phone.osVersion, requirements.ios, 'IOS_TOO_OLD', 'iOS 系统', 'iOS');
  } else if (phone.brand === 'xiaomi') {
    if (phone.xiaomiChannel === 'dev') atLeast(phone.osVersion, requirements.xiaomiSystemDev, 'XIAOMI_SYSTEM_TOO_OLD', '小米开发版系统', 'Xiaomi developer system');
    else if (phone.xiaomiChannel === 'stable') atLeast(phone.walletVersion, requirements.xiaomiSmartCardStable, 'XIAOMI_SMART_CARD_TOO_OLD', '小米智能卡 App ', 'Xiaomi smart card app', 'WALLET_MISSING');
    else problems.push({ reason: 'XIAOMI_CHANNEL_MISSING', zh: '请选择小米系统为稳定版或开发版', en: 'Say whether the Xiaomi system is a stable or a developer build' });
  } else {
    atLeast(phone.walletVersion, requirements.huaweiWallet, 'WALLET_TOO_OLD', '华为钱包', 'Huawei Wallet', 'WALLET_MISSING');
  }

  // Honor phones are on Huawei's list (seed 003 lists them in the Huawei table).
  const listBrands: readonly PhoneBrand[] = phone.brand === 'honor' || phone.brand === 'huawei' ? ['huawei', 'honor'] : [phone.brand];
  const matchedModel = models.find((m) => listBrands.includes(m.brand) && modelMatches(phone.model, m)) ?? null;
  if (!matchedModel) {
    problems.push({ reason: 'MODEL_NOT_SUPPORTED', actual: phone.model, zh: `机型“${phone.model}”暂不支持电子学生卡`, en: `The model “${phone.model}” does not support student e-cards yet` });
  }
  return { eligible: problems.length === 0, problems, matchedModel };
}
