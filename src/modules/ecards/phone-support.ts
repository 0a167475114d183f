import { checkPhoneEligibility, type Eligibility, type PhoneDescription } from '../../domain/phone-eligibility.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction, type DbOrTx } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './ecards.errors.js';
import { ecardsRepository as repo, type PhoneSupport } from './ecards.repository.js';
import type { PhoneRequirementKey } from './ecards.tables.js';

/** The supported models and minimum versions, as operators keep them (seeded from seed 003). */
export function phoneSupport(db: DbOrTx): Promise<PhoneSupport> {
  return repo.phoneSupport(db);
}

/** 机型检测: whether this phone can hold an e-card, with every reason it cannot. */
export async function checkPhone(db: DbOrTx, phone: PhoneDescription): Promise<Eligibility> {
  const support = await repo.phoneSupport(db);
  return checkPhoneEligibility(phone, support.requirements, support.models);
}

/** Refuses an ineligible phone with ECARD_PHONE_INELIGIBLE; the reasons are in the details. */
export async function assertPhoneEligible(db: DbOrTx, phone: PhoneDescription): Promise<void> {
  const result = await checkPhone(db, phone);
  if (!result.eligible) throw fail('ECARD_PHONE_INELIGIBLE', { problems: result.problems });
}

export interface PhoneSupportChange {
  requirements?: Partial<Record<PhoneRequirementKey, string>>;
  addModels?: { brand: 'huawei' | 'honor' | 'xiaomi' | 'apple'; name: string; series: boolean }[];
  removeModelIds?: number[];
}

/** Operators keep the list current (new models, new wallet versions) without a release. */
export async function updatePhoneSupport(ctx: AppContext, caller: Caller, change: PhoneSupportChange, requestId: string): Promise<PhoneSupport> {
  if (caller.role !== 'operator') throw fail('FORBIDDEN');
  const by = `operator:${caller.subjectId}`;
  return inTransaction(ctx.db, async (tx) => {
    const before = await repo.phoneSupport(tx);
    for (const [key, minVersion] of Object.entries(change.requirements ?? {}) as [PhoneRequirementKey, string][]) {
      await repo.setRequirement(tx, key, minVersion, by, ctx.clock.now());
    }
    for (const model of change.addModels ?? []) await repo.addModel(tx, model, by);
    for (const id of change.removeModelIds ?? []) {
      if (!(await repo.removeModel(tx, id))) throw fail('ECARD_PHONE_MODEL_UNKNOWN', { id });
    }
    const after = await repo.phoneSupport(tx);
    await recordAudit(tx, ctx.clock, {
      actor: { role: caller.role, id: caller.subjectId }, action: 'ecards.phone_support.updated', entityType: 'ecard_phone_support', entityId: null,
      before: { requirements: before.requirements, models: before.models.length }, after: { requirements: after.requirements, models: after.models.length, change }, requestId,
    });
    return after;
  });
}
