/** The e-card data the console edits (shapes of src/modules/ecards/ecards.schemas.ts). */
export type PhoneBrand = 'huawei' | 'honor' | 'xiaomi' | 'apple';
export const phoneBrands: readonly PhoneBrand[] = ['huawei', 'honor', 'xiaomi', 'apple'];

export type RequirementKey = 'app' | 'huaweiWallet' | 'xiaomiSmartCardStable' | 'xiaomiSystemDev' | 'ios';
export const requirementKeys: readonly RequirementKey[] = ['app', 'huaweiWallet', 'xiaomiSmartCardStable', 'xiaomiSystemDev', 'ios'];

export interface PhoneModel {
  id: number;
  brand: PhoneBrand;
  name: string;
  series: boolean;
}

export interface PhoneSupport {
  requirements: Record<RequirementKey, string>;
  models: PhoneModel[];
}

export interface PhoneSupportChange {
  requirements?: Partial<Record<RequirementKey, string>>;
  addModels?: Omit<PhoneModel, 'id'>[];
  removeModelIds?: number[];
}

export interface PhoneDescription {
  brand: PhoneBrand;
  model: string;
  os: 'android' | 'harmonyos' | 'ios';
  osVersion: string;
  nfcEnabled: boolean;
  walletVersion?: string | null;
  xiaomiChannel?: 'stable' | 'dev' | null;
  appVersion: string;
}

export interface Eligibility {
  eligible: boolean;
  problems: { reason: string; required?: string; actual?: string | null; zh: string; en: string }[];
  matchedModel: Omit<PhoneModel, 'id'> | null;
}

export interface PartnerSchool {
  id: string;
  name: string;
  stage: string;
  partneredSince: string;
}

/** A dotted version such as 9.0.13.304 (the server's rule). */
export const versionPattern = /^\d+(\.\d+)*$/;
