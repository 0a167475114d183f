import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { bearer, errorResponses } from '../shared/http.js';
import { containsPattern, offsetOf, pageQuerySchema, pageSchema } from '../shared/pagination.js';

export const schoolSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  stage: z.enum(['primary', 'middle', 'high', 'university', 'vocational']),
  district: z.string().nullable(),
  /** 服务点 of a university's kiosk (null: not set, and always for K-12 schools). */
  servicePoint: z.string().nullable(),
  studentCount: z.number().int(),
});
export type SchoolRow = z.infer<typeof schoolSchema>;

export const auditEntrySchema = z.object({
  id: z.string(),
  at: z.string(),
  actorRole: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
});
export type AuditEntryRow = z.infer<typeof auditEntrySchema>;

/** Console lists: schools (a card manager sees only theirs) and the audit log (operators). */
export function adminRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/admin/schools', {
      schema: {
        tags: ['admin'],
        summary: 'Schools, paginated; card managers see only their own school',
        security: bearer,
        querystring: pageQuerySchema.extend({ q: z.string().trim().max(64).optional() }),
        response: { 200: pageSchema(schoolSchema), ...errorResponses },
      },
    }, async (request) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      const { q } = request.query;
      let query = ctx.db.selectFrom('schools');
      if (caller.role === 'school_admin') query = query.where('schools.id', '=', caller.schoolId ?? '00000000-0000-0000-0000-000000000000');
      if (q) {
        const pattern = containsPattern(q);
        query = query.where((eb) => eb.or([eb('schools.name', 'ilike', pattern), eb('schools.code', 'ilike', pattern)]));
      }
      const [{ total } = { total: 0 }] = await query.select((eb) => eb.fn.countAll<number>().as('total')).execute();
      const rows = await query
        .select(['schools.id', 'schools.code', 'schools.name', 'schools.stage', 'schools.district', 'schools.service_point as servicePoint'])
        .select((eb) => eb.selectFrom('students').select((s) => s.fn.countAll<number>().as('n')).whereRef('students.school_id', '=', 'schools.id').as('studentCount'))
        .orderBy('schools.code')
        .limit(request.query.pageSize)
        .offset(offsetOf(request.query))
        .execute();
      return {
        items: rows.map((r) => ({ ...r, studentCount: Number(r.studentCount ?? 0) })),
        total: Number(total),
        page: request.query.page,
        pageSize: request.query.pageSize,
      };
    });

    app.get('/admin/audit-log', {
      schema: {
        tags: ['admin'],
        summary: 'The audit log, newest first (operators only)',
        security: bearer,
        querystring: pageQuerySchema.extend({ entityType: z.string().max(64).optional(), entityId: z.string().max(64).optional(), action: z.string().max(64).optional().describe('one action code, e.g. campus.repair.reported') }),
        response: { 200: pageSchema(auditEntrySchema), ...errorResponses },
      },
    }, async (request) => {
      requireCaller(request, 'operator');
      const { entityType, entityId, action } = request.query;
      let query = ctx.db.selectFrom('audit_log');
      if (action) query = query.where('action', '=', action);
      if (entityType) query = query.where('entity_type', '=', entityType);
      if (entityId) query = query.where('entity_id', '=', entityId);
      const [{ total } = { total: 0 }] = await query.select((eb) => eb.fn.countAll<number>().as('total')).execute();
      const rows = await query
        .select(['id', 'at', 'actor_role', 'actor_id', 'action', 'entity_type', 'entity_id'])
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(request.query.pageSize)
        .offset(offsetOf(request.query))
        .execute();
      return {
        items: rows.map((r) => ({
          id: r.id,
          at: r.at.toISOString(),
          actorRole: r.actor_role,
          actorId: r.actor_id,
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
        })),
        total: Number(total),
        page: request.query.page,
        pageSize: request.query.pageSize,
      };
    });
  };
}
