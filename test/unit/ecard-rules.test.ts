import { describe, expect, it } from 'vitest';
import { deviceOf, extensionOpensOn, matchesK12Roster, matchesUniversityRoster, nextStage, universityValidUntil, upgradeKind } from '../../src/modules/ecards/ecard-rules.js';

describe('e-card rules', () => {
  it('university e-cards run to the next 30 September; from 30 July to the one after', () => {
    expect(universityValidUntil('2026-11-21')).toBe('2027-09-30');
    expect(universityValidUntil('2027-03-01')).toBe('2027-09-30');
    expect(universityValidUntil('2027-07-29')).toBe('2027-09-30');
    expect(universityValidUntil('2027-07-30')).toBe('2028-09-30');
    expect(universityValidUntil('2027-09-30')).toBe('2028-09-30');
    expect(universityValidUntil('2027-12-31')).toBe('2028-09-30');
    expect(extensionOpensOn('2027-09-30')).toBe('2027-07-30');
  });

  it('upgrades primary → middle (小升初) and middle → high (初升高), nothing after high school', () => {
    expect([nextStage('primary'), upgradeKind('primary')]).toEqual(['middle', '小升初']);
    expect([nextStage('middle'), upgradeKind('middle')]).toEqual(['high', '初升高']);
    expect([nextStage('high'), upgradeKind('high')]).toEqual([null, null]);
  });

  const row = { school_id: 's1', name: '张小明', id_number: '11010820120520002X', education_id: '30000001', student_no: '2026001' };

  it('real-name matches the roster field by field (typos fail; a lower-case x and spaces do not)', () => {
    const proof = { schoolId: 's1', name: ' 张小明 ', idNumber: '11010820120520002x', educationId: '30000001' };
    expect(matchesK12Roster(row, proof)).toBe(true);
    expect(matchesK12Roster(row, { ...proof, name: '张晓明' })).toBe(false);
    expect(matchesK12Roster(row, { ...proof, schoolId: 's2' })).toBe(false);
    expect(matchesK12Roster(row, { ...proof, educationId: '30000002' })).toBe(false);
    expect(matchesK12Roster(row, { ...proof, idNumber: '110108201205200021' })).toBe(false);
    const uni = { schoolId: 's1', name: '张小明', studentNo: '2026001', idNumber: '11010820120520002X' };
    expect(matchesUniversityRoster(row, uni)).toBe(true);
    expect(matchesUniversityRoster(row, { ...uni, studentNo: '2026002' })).toBe(false);
    expect(matchesUniversityRoster({ ...row, student_no: null }, uni)).toBe(false);
  });

  it('keeps the phone as the card’s device, brand first, no wallet for iPhones', () => {
    expect(deviceOf({ brand: 'huawei', model: 'Mate 40', os: 'harmonyos', osVersion: '3.0', nfcEnabled: true, walletVersion: '9.1', appVersion: '6.0.0.1' })).toEqual({ model: 'HUAWEI Mate 40', os: 'harmonyos', osVersion: '3.0', walletVersion: '9.1' });
    expect(deviceOf({ brand: 'apple', model: 'iPhone 13', os: 'ios', osVersion: '17.1', nfcEnabled: true, walletVersion: 'x', appVersion: '6.0.0.1' }).walletVersion).toBeNull();
  });
});
