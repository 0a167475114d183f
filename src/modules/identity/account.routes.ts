import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses, studentParams } from '../shared/http.js';
import {
  bindChildSchema, bindParentSchema, changePasswordSchema, childSchema, consentPurposeSchema, dataExportRequestSchema, dataExportSchema, findEducationIdSchema,
  parentCodeSchema, parentLinkSchema, parentResetSchema, pinSchema, publicSchoolSchema, studentResetSchema,
} from './account.schemas.js';
import { changePassword, resetQueryPassword, setConsumptionPin } from './change-password.js';
import { grantConsent, listConsents, revokeConsent } from './consent.js';
import './identity.errors.js';
import { bindChild, bindParentByPhone, listChildren, listParents, unbind } from './parent-binding.js';
import { getStudentPhoto } from './photos.js';
import { findEducationId, requestParentResetCode, resetParentPassword, resetStudentPassword } from './recovery.js';
import { exportMyData } from './data-export.js';

const noContent = { 204: z.null(), ...errorResponses };

/**
 * A person's own account: password, parent–child bindings, guardian consent, recovery.
 * Sign-in-like endpoints (recovery, binding a child) are throttled and record every attempt,
 * so they run outside the idempotency transaction: a rolled-back failure must still count.
 */
export function accountRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    const meta = (request: { id: string; ip: string }) => ({ requestId: request.id, source: request.ip });

    app.post('/me/password', {
      schema: { tags: ['account'], summary: 'Change my password (the campus query password in a campus session)', security: bearer, body: changePasswordSchema, response: noContent },
    }, async (request, reply) => {
      await changePassword(ctx, requireCaller(request), request.body, request.ip, request.id);
      return reply.code(204).send(null);
    });

    app.post('/me/data-export', {
      schema: {
        tags: ['account'], summary: '导出我的数据: a copy of my personal data (profile, cards, statements, trips, orders, settings) as a JSON file, after my password', security: bearer,
        body: dataExportRequestSchema, response: { 200: dataExportSchema, ...errorResponses },
      },
    }, async (request, reply) => {
      const { fileName, document } = await exportMyData(ctx, requireCaller(request, 'student', 'parent'), request.body.password, request.ip, request.id);
      return reply.header('content-disposition', `attachment; filename="${fileName}"`).header('cache-control', 'no-store').send(document);
    });

    app.get('/me/children', {
      schema: { tags: ['account'], summary: "A parent's children (masked)", security: bearer, response: { 200: z.array(childSchema), ...errorResponses } },
    }, async (request) => listChildren(ctx, requireCaller(request, 'parent')));

    app.post('/me/children', {
      schema: { tags: ['account'], summary: 'A parent binds a child by proving who the child is', security: bearer, body: bindChildSchema, response: { 201: z.object({ studentId: z.string() }), ...errorResponses } },
    }, async (request, reply) => reply.code(201).send(await bindChild(ctx, requireCaller(request, 'parent'), request.body, meta(request))));

    app.delete('/me/children/:studentId', {
      schema: { tags: ['account'], summary: 'A parent unbinds a child', security: bearer, params: studentParams, response: noContent },
    }, async (request, reply) => {
      const parent = requireCaller(request, 'parent');
      await unbind(ctx, parent, parent.subjectId, request.params.studentId, request.id);
      return reply.code(204).send(null);
    });

    app.get('/students/:studentId/parents', {
      schema: { tags: ['account'], summary: "A student's bound parents (phones masked)", security: bearer, params: studentParams, response: { 200: z.array(parentLinkSchema), ...errorResponses } },
    }, async (request) => listParents(ctx, requireCaller(request), request.params.studentId));

    app.post('/students/:studentId/parents', {
      schema: { tags: ['account'], summary: "Bind a parent's phone to a student (creates the parent account with password 123456)", security: bearer, params: studentParams, body: bindParentSchema, response: { 201: z.object({ parentId: z.string(), phone: z.string(), accountCreated: z.boolean() }), ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student', 'school_admin', 'operator');
      return idempotentOperation(ctx, request, reply, 201, (c) => bindParentByPhone(c, caller, request.params.studentId, request.body, request.id));
    });

    app.delete('/students/:studentId/parents/:parentId', {
      schema: { tags: ['account'], summary: 'Unbind a parent from a student', security: bearer, params: studentParams.extend({ parentId: z.uuid() }), response: noContent },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student', 'school_admin', 'operator');
      await idempotentOperation(ctx, request, reply, 204, (c) => unbind(c, caller, request.params.parentId, request.params.studentId, request.id).then(() => null));
      return reply.send(null);
    });

    app.get('/students/:studentId/photo', {
      schema: { tags: ['account'], summary: "A student's card photo, for those who may see the student; 204 when there is none yet", security: bearer, params: studentParams },
    }, async (request, reply) => {
      const photo = await getStudentPhoto(ctx, requireCaller(request), request.params.studentId);
      if (!photo) return reply.code(204).header('cache-control', 'private, no-store').send();
      return reply.type(photo.contentType).header('cache-control', 'private, no-store').send(photo.bytes);
    });

    app.get('/students/:studentId/consents', {
      schema: { tags: ['account'], summary: 'Guardian consents for a student under 14', security: bearer, params: studentParams, response: { 200: z.object({ needsGuardianConsent: z.boolean(), consents: z.array(z.object({ id: z.string(), purpose: z.string(), parentId: z.string(), grantedAt: z.string(), revokedAt: z.string().nullable() })) }), ...errorResponses } },
    }, async (request) => listConsents(ctx, requireCaller(request), request.params.studentId));

    app.post('/students/:studentId/consents', {
      schema: { tags: ['account'], summary: 'A bound parent consents for a child under 14', security: bearer, params: studentParams, body: z.object({ purpose: consentPurposeSchema }), response: { 201: z.object({ consentId: z.string(), grantedAt: z.string() }), ...errorResponses } },
    }, async (request, reply) => {
      const parent = requireCaller(request, 'parent');
      return idempotentOperation(ctx, request, reply, 201, (c) => grantConsent(c, parent, request.params.studentId, request.body.purpose, request.id));
    });

    app.delete('/students/:studentId/consents/:purpose', {
      schema: { tags: ['account'], summary: 'Withdraw a consent', security: bearer, params: studentParams.extend({ purpose: consentPurposeSchema }), response: noContent },
    }, async (request, reply) => {
      const parent = requireCaller(request, 'parent');
      await idempotentOperation(ctx, request, reply, 204, (c) => revokeConsent(c, parent, request.params.studentId, request.params.purpose, request.id).then(() => null));
      return reply.send(null);
    });

    app.post('/admin/students/:studentId/query-password-reset', {
      schema: {
        tags: ['account'], summary: "Put a university student's initial query password back (service centre staff, after checking the ID card)", security: bearer, params: studentParams, response: noContent,
      },
    }, async (request, reply) => {
      const staff = requireCaller(request, 'operator', 'school_admin', 'kiosk');
      await idempotentOperation(ctx, request, reply, 204, (c) => resetQueryPassword(c, staff, request.params.studentId, request.id).then(() => null));
      return reply.send(null);
    });

    app.put('/kiosk/students/:studentId/consumption-pin', {
      schema: { tags: ['account'], summary: 'Set the campus consumption password (kiosks only)', security: bearer, params: studentParams, body: pinSchema, response: noContent },
    }, async (request, reply) => {
      const kiosk = requireCaller(request);
      await idempotentOperation(ctx, request, reply, 204, (c) => setConsumptionPin(c, kiosk, request.params.studentId, request.body.newPin, request.id).then(() => null));
      return reply.send(null);
    });

    app.get('/schools', {
      schema: { tags: ['account'], summary: 'Schools to choose from (no sign-in: used by "find my education ID")', querystring: z.object({ q: z.string().trim().max(32).optional() }), response: { 200: z.array(publicSchoolSchema) } },
    }, async (request) => {
      let query = ctx.db.selectFrom('schools').select(['id', 'name', 'stage', 'district']).orderBy('name').limit(50);
      if (request.query.q) query = query.where('name', 'like', `%${request.query.q.replace(/[\\%_]/g, '\\$&')}%`);
      return query.execute();
    });

    app.post('/password-resets/student', {
      schema: { tags: ['recovery'], summary: 'Forgot password: name + ID number + birth date, then a new password', body: studentResetSchema, response: noContent },
    }, async (request, reply) => {
      await resetStudentPassword(ctx, request.body, meta(request));
      return reply.code(204).send(null);
    });

    app.post('/password-resets/parent/codes', {
      schema: { tags: ['recovery'], summary: "Send a one-time code to a parent's phone (same answer whether or not the phone has an account)", body: parentCodeSchema, response: { 202: z.object({ sent: z.literal(true) }), ...errorResponses } },
    }, async (request, reply) => {
      await requestParentResetCode(ctx, request.body.phone, meta(request));
      return reply.code(202).send({ sent: true });
    });

    app.post('/password-resets/parent', {
      schema: { tags: ['recovery'], summary: 'A parent sets a new password with the one-time code', body: parentResetSchema, response: noContent },
    }, async (request, reply) => {
      await resetParentPassword(ctx, request.body, meta(request));
      return reply.code(204).send(null);
    });

    app.post('/education-id-lookups', {
      schema: { tags: ['recovery'], summary: 'Find my education ID: name + ID number + birth date + school', body: findEducationIdSchema, response: { 200: z.object({ educationId: z.string() }), ...errorResponses } },
    }, async (request) => findEducationId(ctx, request.body, meta(request)));
  };
}
