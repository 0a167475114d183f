import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { ecardAgreement } from './ecard-rules.js';
import './ecards.errors.js';
import {
  agreementSchema, ecardParams, ecardResultSchema, eligibilitySchema, extensionStatusSchema, linkUniversitySchema, movePhoneSchema, openK12Schema, partnerListSchema, partnerParams,
  phoneSchema, phoneSupportSchema, returnResultSchema, schoolListSchema, schoolQuerySchema, universityEligibilityQuerySchema, universityEligibilitySchema, updatePhoneSupportSchema,
  upgradeK12Schema, upgradeStatusSchema,
} from './ecards.schemas.js';
import { ecardsRepository as repo } from './ecards.repository.js';
import { extendUniversityEcard, extensionStatus } from './extend-university-ecard.js';
import { movePhone } from './move-phone.js';
import { assertOpenable, openK12Ecard } from './open-k12-ecard.js';
import { listPartnerSchools, setPartnerSchool } from './partner-schools.js';
import { checkPhone, phoneSupport, updatePhoneSupport } from './phone-support.js';
import { verifyRealName } from './real-name.js';
import { returnUniversityEcard } from './return-university-ecard.js';
import { sendReturnRefunds } from '../card-services/return-card.js';
import { assertLinkable, linkUniversityEcard, universityEligibility } from './university-ecard.js';
import { preverifyUpgrade, upgradeK12Ecard, upgradeStatus } from './upgrade-k12-ecard.js';
import { cardSchema } from '../cards/cards.schemas.js';
import { z } from 'zod';

const holders = ['student', 'parent'] as const;

/** Phone e-cards: phone check, K-12 opening and upgrades, lost-phone move, the university e-card. */
export function ecardsRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    // ---- phones (public: the check runs before signing anything) -------------------------------
    app.get('/ecards/phone-support', {
      schema: { tags: ['ecards'], summary: 'Supported phone models and minimum versions (seed 003)', response: { 200: phoneSupportSchema } },
    }, async () => phoneSupport(ctx.db));

    app.put('/ecards/phone-support', {
      schema: { tags: ['ecards'], summary: 'Operators: change minimum versions, add or remove models', security: bearer, body: updatePhoneSupportSchema, response: { 200: phoneSupportSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator');
      return idempotentOperation(ctx, request, reply, 200, (c) => updatePhoneSupport(c, caller, request.body, request.id));
    });

    app.post('/ecards/phone-check', {
      schema: { tags: ['ecards'], summary: '机型检测: can this phone hold an e-card, and if not, why', body: phoneSchema, response: { 200: eligibilitySchema, ...errorResponses } },
    }, async (request) => checkPhone(ctx.db, request.body));

    app.get('/ecards/agreement', {
      schema: { tags: ['ecards'], summary: 'The e-card user agreement and its version', response: { 200: agreementSchema } },
    }, async () => ecardAgreement);

    // ---- K-12 NFC e-card --------------------------------------------------------------------------
    app.get('/ecards/k12/schools', {
      schema: { tags: ['ecards'], summary: '选择学校: primary, middle and high schools', security: bearer, querystring: schoolQuerySchema, response: { 200: schoolListSchema, ...errorResponses } },
    }, async (request) => {
      requireCaller(request, ...holders);
      return { items: await repo.k12Schools(ctx.db, request.query.q) };
    });

    app.post('/ecards/k12', {
      schema: { tags: ['ecards'], summary: 'Open a K-12 NFC e-card (the physical card is superseded)', security: bearer, body: openK12Schema, response: { 201: ecardResultSchema, ...errorResponses, 429: errorResponses[400] } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      const body = request.body;
      // Ownership (and the cheap checks) before the throttled real-name check: nobody probes another student's roster row.
      return idempotentOperation(ctx, request, reply, 201, (c) => openK12Ecard(c, caller, body, request.id), async () => {
        await assertOpenable(ctx, caller, body);
        await verifyRealName(ctx.db, ctx.clock, body.studentId, { kind: 'k12', ...body }, request.ip);
      });
    });

    app.get('/ecards/k12/:cardId/upgrade', {
      schema: { tags: ['ecards'], summary: 'Whether the e-card needs its 小升初 / 初升高 upgrade', security: bearer, params: ecardParams, response: { 200: upgradeStatusSchema, ...errorResponses } },
    }, async (request) => upgradeStatus(ctx, requireCaller(request, ...holders), request.params.cardId));

    app.post('/ecards/k12/:cardId/upgrade', {
      schema: { tags: ['ecards'], summary: '小升初 / 初升高: re-verified, a card of the new stage, balance and history kept', security: bearer, params: ecardParams, body: upgradeK12Schema, response: { 200: ecardResultSchema, ...errorResponses, 429: errorResponses[400] } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      await preverifyUpgrade(ctx, caller, request.params.cardId, request.body, request.ip);
      return idempotentOperation(ctx, request, reply, 200, (c) => upgradeK12Ecard(c, caller, request.params.cardId, request.body, request.id));
    });

    app.post('/ecards/:cardId/move', {
      schema: { tags: ['ecards'], summary: 'Lost phone: move the suspended e-card to a new phone (new number, balance moved)', security: bearer, params: ecardParams, body: movePhoneSchema, response: { 200: ecardResultSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      return idempotentOperation(ctx, request, reply, 200, (c) => movePhone(c, caller, request.params.cardId, request.body.phone, request.id));
    });

    // ---- university e-card ------------------------------------------------------------------------
    app.get('/ecards/university/eligibility', {
      schema: { tags: ['ecards'], summary: 'Enrolled, not salaried, partnered school, no other transit card', security: bearer, querystring: universityEligibilityQuerySchema, response: { 200: universityEligibilitySchema, ...errorResponses } },
    }, async (request) => universityEligibility(ctx, requireCaller(request, ...holders), request.query.studentId));

    app.post('/ecards/university', {
      schema: { tags: ['ecards'], summary: 'Link an interoperable card as the university e-card (real-name)', security: bearer, body: linkUniversitySchema, response: { 201: ecardResultSchema, ...errorResponses, 429: errorResponses[400] } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      const body = request.body;
      return idempotentOperation(ctx, request, reply, 201, (c) => linkUniversityEcard(c, caller, body, request.id), async () => {
        await assertLinkable(ctx, caller, body);
        await verifyRealName(ctx.db, ctx.clock, body.studentId, { kind: 'university', ...body }, request.ip);
      });
    });

    app.get('/ecards/university/:cardId/extension', {
      schema: { tags: ['ecards'], summary: 'Valid until, when extension opens, and to when it extends', security: bearer, params: ecardParams, response: { 200: extensionStatusSchema, ...errorResponses } },
    }, async (request) => extensionStatus(ctx, requireCaller(request, ...holders), request.params.cardId));

    app.post('/ecards/university/:cardId/extend', {
      schema: { tags: ['ecards'], summary: '卡片延期: from 30 July, to the next 30 September, after re-checking enrolment', security: bearer, params: ecardParams, response: { 200: cardSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      return idempotentOperation(ctx, request, reply, 200, (c) => extendUniversityEcard(c, caller, request.params.cardId, request.id));
    });

    app.post('/ecards/university/:cardId/return', {
      schema: { tags: ['ecards'], summary: '退卡 with 退资 (≤ ¥200 in the app, above at an outlet)', security: bearer, params: ecardParams, response: { 200: returnResultSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, ...holders);
      const returned = await idempotentOperation(ctx, request, reply, 200, (c) => returnUniversityEcard(c, caller, request.params.cardId, request.id));
      return sendReturnRefunds(ctx, caller, returned);
    });

    app.get('/ecards/university/partner-schools', {
      schema: { tags: ['ecards'], summary: 'Schools partnered for the university e-card', response: { 200: partnerListSchema } },
    }, async () => listPartnerSchools(ctx));

    for (const [method, partnered] of [['put', true], ['delete', false]] as const) {
      app[method]('/ecards/university/partner-schools/:schoolId', {
        schema: { tags: ['ecards'], summary: partnered ? 'Operators: a school joins the university e-card' : 'Operators: a school leaves the university e-card', security: bearer, params: partnerParams, response: { 204: z.null(), ...errorResponses } },
      }, async (request, reply) => {
        const caller = requireCaller(request, 'operator');
        return idempotentOperation(ctx, request, reply, 204, async (c) => {
          await setPartnerSchool(c, caller, request.params.schoolId, partnered, request.id);
          return null;
        });
      });
    }
  };
}

