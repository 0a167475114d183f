import type { PhoneRequirements, SupportedModel } from '../../domain/phone-eligibility.js';

/**
 * The supported phones and minimum versions as seed 003 (UCAS, "支持机型") lists them: what
 * migration 0010 loads into ecard_phone_models / ecard_phone_requirements. Frozen — later
 * changes are rows edited by operators (PUT /ecards/phone-support), not edits here.
 */
export const seed003Version = 'seed-003';

export const seed003Requirements: PhoneRequirements = {
  app: '6.0.0.1',
  huaweiWallet: '9.0.13.304',
  xiaomiSmartCardStable: '21.08.09.1',
  xiaomiSystemDev: '21.7.27',
  ios: '13.4',
};

const huawei = [
  'HUAWEI Mate 50 E', 'HUAWEI Mate 50 RS 保时捷设计', 'HUAWEI Mate 50 Pro', 'HUAWEI Mate 50', 'Mate 40', 'Mate 40E', 'Mate40 Pro', 'Mate40 Pro+',
  'Mate 40 RS 保时捷设计', 'Mate 30', 'Mate 30 5G', 'Mate 30 Pro', 'Mate 30 Pro 5G', 'Mate 30E Pro 5G', 'Mate 30 RS 保时捷设计', 'Mate 20', 'Mate 20 Pro',
  'Mate 20 RS 保时捷设计', 'Mate 20 X', 'Mate 20 X 5G', 'Mate10', 'Mate10 Pro', 'Mate9', 'Mate9 Pro 保时捷设计', 'Mate9 Pro', 'Mate RS 保时捷设计', 'Mate X2',
  'Mate Xs', 'Mate X', 'P50 Pocket', 'P50 Pocket 艺术定制版', 'P50', 'P50 Pro', 'P40', 'P40 Pro', 'P40 Pro+', 'P30', 'P30 pro', 'P20', 'P20 Pro', 'P10',
  'P10 Plus', 'HUAWEI Nova 10 Pro', 'HUAWEI Nova 10', 'nova 9', 'nova 9 Pro', 'nova 8', 'nova 8 Pro', 'Nova 7 5G', 'Nova 7 Pro 5G', 'Nova 6', 'Nova 6 5G',
  'Nova5 Pro', 'Nova 2S',
];

const honor = [
  '荣耀Magic V', '荣耀Magic3', '荣耀 Magic3 Pro', '荣耀 Magic3 至臻版', 'HONOR 60', 'HONOR 60 Pro', 'HONOR 50', 'HONOR 50 Pro', 'HONOR Play5', 'HONOR V40轻奢版',
  'HONOR V40', '荣耀X30 Max', '荣耀V30', '荣耀V30 PRO', 'HONOR 30 Pro', 'HONOR 30 Pro+', 'HONOR 30', '荣耀 20', '荣耀 20 Pro', '荣耀V20', '荣耀Magic 2', '荣耀10',
  '荣耀V10', '荣耀V9', '荣耀9', '荣耀V8', '荣耀8', 'HONOR X10 Max', '荣耀Play4 PRO', '荣耀note10',
];

const xiaomi = [
  '小米MIX 4', '小米MIX 3', '小米MIX 2S', '小米12系列', '小米12 S系列', '小米11系列', '小米10系列', '小米9系列', '小米8系列', '小米 Civi 系列', '小米CC 9系列',
  '小米MIX FOLD 系列', 'Redmi K40系列', 'Redmi K30系列', 'Redmi K20系列', 'Redmi 10X Pro', 'Redmi Note 12 Pro', 'Redmi Note 11 Pro', 'Redmi Note 10 Pro',
  'Redmi Note 9 Pro', 'Redmi Note 8 Pro', '黑鲨4系列', '黑鲨5 系列',
];

const apple = ['iPhone 14系列', 'iPhone 13系列', 'iPhone 12系列', 'iPhone 11系列', 'iPhone XS系列', 'iPhone XR', 'iPhone X', 'iPhone 8系列', 'iPhone 7系列'];

const entry = (brand: SupportedModel['brand']) => (name: string): SupportedModel => ({ brand, name, series: /系列\s*$/u.test(name) });

export const seed003Models: readonly SupportedModel[] = [...huawei.map(entry('huawei')), ...honor.map(entry('honor')), ...xiaomi.map(entry('xiaomi')), ...apple.map(entry('apple'))];
