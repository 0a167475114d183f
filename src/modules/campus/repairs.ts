import { nextRepairStatus, type RepairCategory, type RepairEvent } from '../../domain/campus-payments.js';
import { maskName } from '../../domain/masking.js';
import { assertSchoolAccess, consoleListScope } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import './campus.errors.js';
import { campusRepository as repo, type RepairRow } from './campus.repository.js';
import type { RepairDto } from './campus.schemas.js';
import { campusSchoolOf } from './payment-codes.js';

const repairView = (row: RepairRow & { student_name?: string; school_name?: string }): RepairDto => ({
  id: row.id, category: row.category, location: row.location, description: row.description, status: row.status, staffNote: row.staff_note,
  studentNameMasked: row.student_name === undefined ? null : maskName(row.student_name), schoolName: row.school_name ?? null,
  createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(),
});

/** 网上报修 (seed 004): a campus card holder reports a fault somewhere on campus. */
export async function reportRepair(ctx: AppContext, caller: Caller, input: { category: RepairCategory; location: string; description: string }, requestId: string): Promise<RepairDto> {
  const school_id = await campusSchoolOf(ctx, caller);
  const now = ctx.clock.now();
  const row = { id: newId(), school_id, student_id: caller.subjectId, ...input, status: 'submitted' as const, staff_note: null, created_at: now, updated_at: now };
  return inTransaction(ctx.db, async (tx) => {
    await repo.insertRepair(tx, row);
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'campus.repair.reported', entityType: 'campus_repair', entityId: row.id, after: { category: input.category, location: input.location }, requestId });
    return repairView(row);
  });
}

export async function myRepairs(ctx: AppContext, caller: Caller): Promise<RepairDto[]> {
  if (caller.role !== 'student') throw fail('FORBIDDEN');
  return (await repo.repairsOfStudent(ctx.db, caller.subjectId)).map(repairView);
}

/** Reports for the school's staff, newest first: a card manager's own school, an operator's choice (or all). */
export async function schoolRepairs(ctx: AppContext, caller: Caller, filter: { schoolId?: string | undefined; status?: RepairDto['status'] | undefined }, page: PageQuery) {
  const { rows, total } = await repo.repairsOfSchool(ctx.db, consoleListScope(caller, filter.schoolId), filter.status, page.pageSize, offsetOf(page));
  return { items: rows.map(repairView), total, page: page.page, pageSize: page.pageSize };
}

/**
 * A step of a report: the student withdraws it (only their own, only before staff take it on);
 * the school's staff take it on and mark it done, with a note the student sees.
 */
export async function moveRepair(ctx: AppContext, caller: Caller, repairId: string, event: RepairEvent, note: string | undefined, requestId: string): Promise<RepairDto> {
  return inTransaction(ctx.db, async (tx) => {
    const row = await repo.lockRepair(tx, repairId);
    if (!row) throw fail('NOT_FOUND', { entity: 'campus_repair', repairId });
    if (event === 'cancel') {
      if (caller.role !== 'student' || caller.subjectId !== row.student_id) throw fail('NOT_FOUND', { entity: 'campus_repair', repairId });
    } else {
      if (caller.role !== 'operator' && caller.role !== 'school_admin') throw fail('FORBIDDEN');
      assertSchoolAccess(caller, row.school_id);
    }
    const status = nextRepairStatus(row.status, event);
    const updated = { ...row, status, staff_note: note ?? row.staff_note, updated_at: ctx.clock.now() };
    await repo.updateRepair(tx, repairId, { status, staff_note: updated.staff_note, updated_at: updated.updated_at });
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: `campus.repair.${event}`, entityType: 'campus_repair', entityId: repairId, before: { status: row.status }, after: { status, note: note ?? null }, requestId });
    return repairView(updated);
  });
}
