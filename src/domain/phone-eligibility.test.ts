import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seed003Models, seed003Requirements } from '../modules/ecards/seed-003-phones.js';
import { checkPhoneEligibility, compareVersions, modelMatches, type PhoneDescription } from './phone-eligibility.js';

const req = seed003Requirements;
const models = seed003Models;

const huawei: PhoneDescription = { brand: 'huawei', model: 'HUAWEI Mate 40 Pro', os: 'harmonyos', osVersion: '3.0.0', nfcEnabled: true, walletVersion: '9.0.13.304', appVersion: '6.0.0.1' };
const iphone: PhoneDescription = { brand: 'apple', model: 'iPhone 13 mini', os: 'ios', osVersion: '13.4', nfcEnabled: true, appVersion: '6.0.0.1' };
const xiaomiStable: PhoneDescription = { brand: 'xiaomi', model: 'Xiaomi 12 Pro', os: 'android', osVersion: '13', nfcEnabled: true, xiaomiChannel: 'stable', walletVersion: '21.08.09.1', appVersion: '6.1' };
const xiaomiDev: PhoneDescription = { ...xiaomiStable, xiaomiChannel: 'dev', walletVersion: null, osVersion: '21.7.27' };

const reasons = (phone: PhoneDescription) => checkPhoneEligibility(phone, req, models).problems.map((p) => p.reason);

describe('phone eligibility (seed 003)', () => {
  it('takes phones exactly at every minimum version', () => {
    for (const phone of [huawei, iphone, xiaomiStable, xiaomiDev]) expect(checkPhoneEligibility(phone, req, models)).toMatchObject({ eligible: true, problems: [] });
  });

  it('refuses with NFC off', () => {
    expect(reasons({ ...huawei, nfcEnabled: false })).toEqual(['NFC_OFF']);
  });

  it('refuses a Yikatong app below 6.0.0.1', () => {
    expect(reasons({ ...huawei, appVersion: '6.0.0.0' })).toEqual(['APP_TOO_OLD']);
    expect(reasons({ ...huawei, appVersion: '5.9.9.9' })).toEqual(['APP_TOO_OLD']);
    expect(reasons({ ...huawei, appVersion: '6.0.0.2' })).toEqual([]);
  });

  it('refuses Huawei Wallet below 9.0.13.304 (and Honor phones follow Huawei’s rule and list)', () => {
    expect(reasons({ ...huawei, walletVersion: '9.0.13.303' })).toEqual(['WALLET_TOO_OLD']);
    expect(reasons({ ...huawei, walletVersion: '9.0.9.999' })).toEqual(['WALLET_TOO_OLD']);
    expect(reasons({ ...huawei, walletVersion: null })).toEqual(['WALLET_MISSING']);
    expect(reasons({ ...huawei, brand: 'honor', model: 'HONOR 60 Pro', walletVersion: '9.0.13.303' })).toEqual(['WALLET_TOO_OLD']);
    expect(reasons({ ...huawei, brand: 'honor', model: 'HONOR 60 Pro' })).toEqual([]);
  });

  it('refuses Xiaomi stable below smart card 21.08.09.1 and Xiaomi dev below system 21.7.27', () => {
    expect(reasons({ ...xiaomiStable, walletVersion: '21.08.09.0' })).toEqual(['XIAOMI_SMART_CARD_TOO_OLD']);
    expect(reasons({ ...xiaomiStable, walletVersion: '21.8.9.1' })).toEqual([]);
    expect(reasons({ ...xiaomiDev, osVersion: '21.7.26' })).toEqual(['XIAOMI_SYSTEM_TOO_OLD']);
    // The dev build's rule is the system version; its smart card app version does not matter.
    expect(reasons({ ...xiaomiDev, walletVersion: '1.0' })).toEqual([]);
    expect(reasons({ ...xiaomiStable, xiaomiChannel: null })).toEqual(['XIAOMI_CHANNEL_MISSING']);
  });

  it('refuses iOS below 13.4, and an iPhone on another OS', () => {
    expect(reasons({ ...iphone, osVersion: '13.3.1' })).toEqual(['IOS_TOO_OLD']);
    expect(reasons({ ...iphone, osVersion: '13.10' })).toEqual([]);
    expect(reasons({ ...iphone, os: 'android' })).toEqual(['OS_MISMATCH']);
  });

  it('refuses models not on the list, with series matching ("小米12系列" covers 小米12 Pro, not 小米120)', () => {
    expect(reasons({ ...huawei, model: 'HUAWEI Mate 60' })).toEqual(['MODEL_NOT_SUPPORTED']);
    expect(reasons({ ...huawei, model: 'mate40pro' })).toEqual([]);
    expect(reasons({ ...iphone, model: 'iPhone 6s' })).toEqual(['MODEL_NOT_SUPPORTED']);
    expect(reasons({ ...iphone, model: 'iPhone 14 Pro Max' })).toEqual([]);
    expect(reasons({ ...iphone, model: 'iPhone XS Max' })).toEqual([]);
    expect(reasons({ ...xiaomiStable, model: '小米12S Ultra' })).toEqual([]);
    expect(modelMatches('小米120', { brand: 'xiaomi', name: '小米12系列', series: true })).toBe(false);
    expect(modelMatches('Redmi Note 12 Pro+', { brand: 'xiaomi', name: 'Redmi Note 12 Pro', series: false })).toBe(false);
    // An Apple model is not found on Huawei's list, however it is named.
    expect(reasons({ ...huawei, model: 'iPhone 13' })).toEqual(['MODEL_NOT_SUPPORTED']);
  });

  it('lists every problem at once and reads unreadable versions as a problem, not a crash', () => {
    expect(reasons({ ...huawei, nfcEnabled: false, appVersion: '5.1', walletVersion: 'latest', model: 'P60' })).toEqual(['NFC_OFF', 'APP_TOO_OLD', 'VERSION_UNREADABLE', 'MODEL_NOT_SUPPORTED']);
    const problem = checkPhoneEligibility({ ...iphone, osVersion: '12.5' }, req, models).problems[0];
    expect(problem).toMatchObject({ reason: 'IOS_TOO_OLD', required: '13.4', actual: '12.5' });
    expect(problem?.zh).toContain('13.4');
    expect(problem?.en).toContain('13.4');
  });

  it('follows the data: a raised minimum or a removed model changes the answer', () => {
    expect(checkPhoneEligibility(huawei, { ...req, huaweiWallet: '10.0' }, models).eligible).toBe(false);
    expect(checkPhoneEligibility(huawei, req, models.filter((m) => m.name !== 'Mate40 Pro')).eligible).toBe(false);
  });

  it('compares versions numerically: an order on dotted versions', () => {
    const version = fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.'));
    fc.assert(
      fc.property(version, version, version, (a, b, c) => {
        expect(compareVersions(a, b)).toBe(-compareVersions(b, a) || 0);
        expect(compareVersions(a, a)).toBe(0);
        expect(compareVersions(`${a}.0`, a)).toBe(0);
        if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
      }),
    );
    expect(compareVersions('9.0.13.304', '9.0.9.999')).toBe(1);
  });
});
