import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './ecards.errors.js';
import { ecardsRepository as repo } from './ecards.repository.js';

/** Schools partnered with Yikatong for the university e-card (seed 003 "办理": 合作的各类学校). */
export async function listPartnerSchools(ctx: AppContext) {
  const rows = await repo.partnerSchools(ctx.db);
  return { items: rows.map((r) => ({ id: r.id, name: r.name, stage: r.stage, partneredSince: r.partnered_since.toISOString() })) };
}

export async function setPartnerSchool(ctx: AppContext, caller: Caller, schoolId: string, partnered: boolean, requestId: string): Promise<void> {
  if (caller.role !== 'operator') throw fail('FORBIDDEN');
  const school = await repo.findSchool(ctx.db, schoolId);
  if (!school) throw fail('NOT_FOUND', { entity: 'school', schoolId });
  await inTransaction(ctx.db, async (tx) => {
    if (partnered) await repo.addPartner(tx, schoolId, ctx.clock.now(), caller.subjectId);
    else if (!(await repo.removePartner(tx, schoolId))) throw fail('NOT_FOUND', { entity: 'partner school', schoolId });
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: partnered ? 'ecards.partner_added' : 'ecards.partner_removed', entityType: 'school', entityId: schoolId, requestId });
  });
}
