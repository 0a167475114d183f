import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { maskPhone } from '../../domain/masking.js';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses, studentParams } from '../shared/http.js';
import { offsetOf, pageQuerySchema, pageSchema } from '../shared/pagination.js';
import './identity.errors.js';
import { maxPhotoBytes, setStudentPhoto } from './photos.js';
import { addClassAs, createSchool, createStudent, listClasses, searchStudents, setServicePoint, studentDetail, updateStudent } from './students.js';
import {
  classSchema, createClassSchema, createSchoolSchema, createStudentSchema, servicePointSchema, studentDetailSchema, studentQuerySchema, studentRowSchema, updateStudentSchema,
} from './students.schemas.js';

const schoolParams = z.object({ schoolId: z.uuid() });

/** The console's schools, classes and students: card managers see their school, operators all. */
export function studentAdminRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.addContentTypeParser(['image/jpeg', 'image/png'], { parseAs: 'buffer', bodyLimit: maxPhotoBytes }, (_request, body, done) => done(null, body));

    app.post('/admin/schools', {
      schema: { tags: ['admin'], summary: 'Create a school (operators)', security: bearer, body: createSchoolSchema, response: { 201: createSchoolSchema.extend({ id: z.string() }), ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 201, (c) => createSchool(c.db, c.clock, { role: caller.role, id: caller.subjectId }, request.body, request.id));
    });

    app.put('/admin/schools/:schoolId/service-point', {
      schema: { tags: ['admin'], summary: '服务点: where a university’s self-service kiosk is, named on its campus cards’ page (operators, the school’s card manager)', security: bearer, params: schoolParams, body: servicePointSchema, response: { 200: servicePointSchema.extend({ schoolId: z.string() }), ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 200, (c) => setServicePoint(c, caller, request.params.schoolId, request.body.servicePoint, request.id));
    });

    app.get('/admin/schools/:schoolId/classes', {
      schema: { tags: ['admin'], summary: "A school's classes", security: bearer, params: schoolParams, response: { 200: z.array(classSchema), ...errorResponses } },
    }, async (request) => listClasses(ctx, requireCaller(request, 'operator', 'school_admin'), request.params.schoolId));

    app.post('/admin/schools/:schoolId/classes', {
      schema: { tags: ['admin'], summary: 'Add a class', security: bearer, params: schoolParams, body: createClassSchema, response: { 201: classSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 201, (c) => addClassAs(c, caller, request.params.schoolId, request.body, request.id));
    });

    app.get('/admin/students', {
      schema: { tags: ['admin'], summary: 'Search students (by name or education ID), filter and paginate', security: bearer, querystring: pageQuerySchema.extend(studentQuerySchema.shape), response: { 200: pageSchema(studentRowSchema), ...errorResponses } },
    }, async (request) => {
      const { page, pageSize, ...filter } = request.query;
      return searchStudents(ctx, requireCaller(request, 'operator', 'school_admin'), filter, { page, pageSize });
    });

    app.get('/admin/students/:studentId', {
      schema: { tags: ['admin'], summary: 'A student (masked), their parents and audit history', security: bearer, params: studentParams, response: { 200: studentDetailSchema, ...errorResponses } },
    }, async (request) => studentDetail(ctx, requireCaller(request, 'operator', 'school_admin'), request.params.studentId));

    app.post('/admin/schools/:schoolId/students', {
      schema: { tags: ['admin'], summary: 'Add one student', security: bearer, params: schoolParams, body: createStudentSchema, response: { 201: z.object({ id: z.string() }), ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 201, (c) => createStudent(c, c.db, caller, request.params.schoolId, request.body, request.id));
    });

    app.patch('/admin/students/:studentId', {
      schema: { tags: ['admin'], summary: 'Promote, transfer or change the status of a student (education ID and history kept)', security: bearer, params: studentParams, body: updateStudentSchema, response: { 200: z.object({ id: z.string(), stage: z.string(), schoolId: z.string(), action: z.string() }), ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 200, (c) => updateStudent(c, c.db, caller, request.params.studentId, request.body, request.id));
    });

    app.put('/admin/students/:studentId/photo', {
      schema: { tags: ['admin'], summary: 'Set the card photo (JPEG or PNG, at most 500 KB, raw body)', security: bearer, params: studentParams, response: { 204: z.null(), ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      if (!Buffer.isBuffer(request.body)) throw fail('PHOTO_FORMAT');
      const bytes = request.body;
      await idempotentOperation(ctx, request, reply, 204, (c) => setStudentPhoto(c, caller, request.params.studentId, bytes, request.id).then(() => null));
      return reply.send(null);
    });

    app.get('/admin/staff', {
      schema: { tags: ['admin'], summary: 'Operators, card managers and kiosks (operators)', security: bearer, querystring: pageQuerySchema, response: { 200: pageSchema(z.object({ id: z.string(), username: z.string(), displayName: z.string(), role: z.string(), schoolId: z.string().nullable(), schoolName: z.string().nullable(), disabled: z.boolean() })), ...errorResponses } },
    }, async (request) => {
      requireCaller(request, 'operator');
      const query = ctx.db.selectFrom('staff_users').leftJoin('schools', 'schools.id', 'staff_users.school_id');
      const { total } = await query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
      const rows = await query
        .select(['staff_users.id', 'staff_users.username', 'staff_users.display_name', 'staff_users.role', 'staff_users.school_id', 'schools.name as school_name', 'staff_users.disabled_at'])
        .orderBy('staff_users.username').limit(request.query.pageSize).offset(offsetOf(request.query)).execute();
      return {
        items: rows.map((r) => ({ id: r.id, username: r.username, displayName: r.display_name, role: r.role, schoolId: r.school_id, schoolName: r.school_name, disabled: r.disabled_at !== null })),
        total: Number(total), page: request.query.page, pageSize: request.query.pageSize,
      };
    });

    app.get('/admin/sms-outbox', {
      schema: { tags: ['admin'], summary: 'Text messages the built-in SMS sender kept (operators)', security: bearer, querystring: pageQuerySchema, response: { 200: pageSchema(z.object({ id: z.string(), phone: z.string(), body: z.string(), provider: z.string(), createdAt: z.string() })), ...errorResponses } },
    }, async (request) => {
      requireCaller(request, 'operator');
      const { total } = await ctx.db.selectFrom('sms_outbox').select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
      const rows = await ctx.db.selectFrom('sms_outbox').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(request.query.pageSize).offset(offsetOf(request.query)).execute();
      return {
        items: rows.map((r) => ({ id: r.id, phone: maskPhone(r.phone), body: r.body, provider: r.provider, createdAt: r.created_at.toISOString() })),
        total: Number(total), page: request.query.page, pageSize: request.query.pageSize,
      };
    });
  };
}
