import { statusLabels } from '../../domain/card-lifecycle.js';
import { maskCardNo, maskName } from '../../domain/masking.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { assertSchoolAccess } from '../../platform/access.js';
import { fail } from '../../platform/errors.js';
import { offsetOf } from '../shared/pagination.js';
import { cardServicesRepository as repo } from './card-services.repository.js';
import type { AdminCardItemDto, AdminCardSearchQuery } from './card-services.schemas.js';

/**
 * The console's card search: by card number (or its start), education ID, student number or part
 * of the name; a card manager only ever sees their own school's cards; card numbers and names masked, the education ID whole (the console's handle for a student, web/admin/src/EducationId.tsx).
 */
export async function searchCards(ctx: AppContext, caller: Caller, query: AdminCardSearchQuery): Promise<{ items: AdminCardItemDto[]; total: number; page: number; pageSize: number }> {
  let schoolId = query.schoolId;
  if (caller.role === 'school_admin') {
    if (!caller.schoolId) throw fail('ACCESS_DENIED', { reason: 'no school' });
    if (schoolId) assertSchoolAccess(caller, schoolId);
    schoolId = caller.schoolId;
  } else if (caller.role !== 'operator') {
    throw fail('FORBIDDEN', { requiredRoles: ['school_admin', 'operator'] });
  }
  const { rows, total } = await repo.searchCards(ctx.db, { q: query.q, status: query.status, product: query.product, schoolId, limit: query.pageSize, offset: offsetOf(query) });
  return {
    items: rows.map((r) => ({
      id: r.id,
      cardNoMasked: maskCardNo(r.card_no),
      product: r.product,
      status: r.status,
      statusLabel: statusLabels[r.status],
      studentId: r.student_id,
      holderNameMasked: maskName(r.student_name),
      educationId: r.education_id,
      school: { id: r.school_id, name: r.school_name },
      validUntil: r.valid_until,
      createdAt: r.created_at.toISOString(),
    })),
    total,
    page: query.page,
    pageSize: query.pageSize,
  };
}
