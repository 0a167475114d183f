import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { z } from 'zod';
import { childSettingRoutes } from '../shared/child-setting-routes.js';
import { bearer, errorResponses } from '../shared/http.js';
import {
  addRoomSchema, addVenueSchema, adminRoomSchema, adminSchoolQuerySchema, bookingParams, bookingSchema, bookVenueSchema, slotQuerySchema, slotSchema, venueAudienceSchema, venueParams, venueQuerySchema, venueSchema, adminRepairQuerySchema, repairNoteSchema, repairParams, repairSchema, reportRepairSchema, buyElectricitySchema, electricityPurchaseSchema, roomQuerySchema, roomSchema, adminElectricityPurchaseSchema, adminElectricityQuerySchema, changeMeterSchema, roomParams, networkBalanceReturnSchema,
  adminPurchaseQuerySchema, canteenPurchaseSchema, posPurchaseParams, posRefundResultSchema, purchaseIdParams, refundReasonSchema,
  addLibraryBookSchema, adminLibraryBookQuerySchema, adminLibraryBookSchema, borrowBookSchema, libraryBookQuerySchema, libraryBookSchema, libraryLoanSchema, libraryLoansSchema, libraryReturnSchema, loanParams, payLibraryFinesSchema, returnLibraryBookSchema,
  networkGatewayAnswerSchema, networkOverviewSchema, networkSessionIdParams, networkSessionParams, networkSessionSchema, networkSignOnSchema, networkTopUpResultSchema, networkTopUpSchema, networkUsageSchema,
  hotWaterRequestSchema, hotWaterSchema, issuePaymentCodeSchema, paymentCodeSchema, posPurchaseResultSchema, posPurchaseSchema, purchaseLimitSchema, setPurchaseLimitSchema, terminalParams, dailyLimitSchema, setDailyLimitSchema,
} from './campus.schemas.js';
import { addVenue, bookVenue, cancelBooking, myBookings, myVenues, schoolVenues, setVenueAudience, venueSlots } from './bookings.js';
import { addRoom, changeRoomMeter, checkElectricityPurchase, myElectricityPurchases, recordElectricityPurchase, resendToMeter, roomsOfMySchool, schoolElectricityPurchases, schoolRooms } from './dorm-electricity.js';
import { hotWaterCheck, payAtPos } from './pay-at-pos.js';
import { issuePaymentCode } from './payment-codes.js';
import { purchaseLimit, setPurchaseLimit } from './purchase-limit.js';
import { getDailyLimit, removeDailyLimit, setDailyLimit } from './daily-limit.js';
import { addBook, borrowBook, checkFinePayment, myLoans, payLibraryFines, renewLoan, returnBook, schoolBooks, searchBooks } from './library.js';
import { moveRepair, myRepairs, reportRepair, schoolRepairs } from './repairs.js';
import { pageSchema } from '../shared/pagination.js';
import { cancelAtPos, refundInConsole, schoolPurchases } from './canteen-refunds.js';
import { checkNetworkTopUp, kickNetworkSession, networkOverview, reportNetworkUsage, returnNetworkBalance, signOnDevice, topUpNetwork } from './network.js';

/** The signed-in terminal, which must be the one the path names (TERMINAL_NOT_YOURS otherwise). */
function pathTerminal(request: FastifyRequest & { params: { terminalId: string } }): string {
  const caller = requireCaller(request, 'terminal');
  if (caller.subjectId !== request.params.terminalId) throw fail('TERMINAL_NOT_YOURS', { terminalId: request.params.terminalId });
  return caller.subjectId;
}

/**
 * Campus payments: the student's payment code and per-purchase limit; the canteen POS and the
 * dorm hot-water reader (terminals, signed in with their own credentials). Purchases are
 * idempotent by the POS's own purchase id, not by Idempotency-Key.
 */
export function campusRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    app.post('/campus/payment-codes', {
      schema: { tags: ['campus'], summary: '消费认证码: a single-use payment code for a minute (the query password asked)', security: bearer, body: issuePaymentCodeSchema, response: { 201: paymentCodeSchema, ...errorResponses } },
    }, async (request, reply) => reply.code(201).send(await issuePaymentCode(ctx, requireCaller(request, 'student'), request.body.queryPassword, request.ip)));

    app.get('/campus/purchase-limit', {
      schema: { tags: ['campus'], summary: '单笔限额: above it the canteen asks for the consumption password', security: bearer, response: { 200: purchaseLimitSchema, ...errorResponses } },
    }, async (request) => purchaseLimit(ctx, requireCaller(request, 'student')));

    app.put('/campus/purchase-limit', {
      schema: { tags: ['campus'], summary: 'Set the per-purchase limit (the query password asked)', security: bearer, body: setPurchaseLimitSchema, response: { 200: purchaseLimitSchema, ...errorResponses } },
    }, async (request) => setPurchaseLimit(ctx, requireCaller(request, 'student'), request.body, request.ip, request.id));

    libraryRoutes(ctx, app);

    childSettingRoutes(ctx, app, {
      name: 'campus-daily-limit', tag: 'campus', view: dailyLimitSchema, body: setDailyLimitSchema,
      summaries: {
        get: "每日消费限额: the child's canteen limit for a Beijing day (null: none) and today's spending",
        put: "每日消费限额: cap what the child's campus card spends at the canteen in a day (¥1–¥1,000)",
        delete: '每日消费限额: lift it',
      },
      get: getDailyLimit,
      set: (c, caller, studentId, body, requestId) => setDailyLimit(c, caller, studentId, body.limitFen, requestId),
      remove: removeDailyLimit,
    });

    app.post('/terminals/:terminalId/purchases', {
      schema: { tags: ['campus'], summary: 'A canteen POS charges a campus card or payment code (idempotent by purchaseId)', security: bearer, params: terminalParams, body: posPurchaseSchema, response: { 201: posPurchaseResultSchema, ...errorResponses } },
    }, async (request, reply) => {
      const terminalId = pathTerminal(request);
      return reply.code(201).send(await payAtPos(ctx, terminalId, request.body, request.ip));
    });

    app.post('/terminals/:terminalId/purchases/:purchaseId/cancel', {
      schema: { tags: ['campus'], summary: '撤销: the POS cancels one of its purchases of today, refunding the card (asking again answers the same)', security: bearer, params: posPurchaseParams, response: { 200: posRefundResultSchema, ...errorResponses } },
    }, async (request) => {
      const terminalId = pathTerminal(request);
      return cancelAtPos(ctx, terminalId, request.params.purchaseId);
    });

    app.get('/admin/campus/purchases', {
      schema: { tags: ['campus'], summary: 'A university’s canteen purchases, newest first (operators name the school)', security: bearer, querystring: adminPurchaseQuerySchema, response: { 200: pageSchema(canteenPurchaseSchema), ...errorResponses } },
    }, async (request) => {
      const { schoolId, cardNo, ...page } = request.query;
      return schoolPurchases(ctx, requireCaller(request, 'operator', 'school_admin'), { schoolId, cardNo }, page);
    });

    app.post('/admin/campus/purchases/:id/refund', {
      schema: { tags: ['campus'], summary: '退款: refund a canteen purchase to its card, with the reason (the university’s card manager, operators)', security: bearer, params: purchaseIdParams, body: refundReasonSchema, response: { 200: canteenPurchaseSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 200, (c) => refundInConsole(c, caller, request.params.id, request.body.reason, request.id));
    });

    app.get('/campus/rooms', {
      schema: { tags: ['campus'], summary: 'The dorm rooms of the student’s university (by building or room number)', security: bearer, querystring: roomQuerySchema, response: { 200: z.object({ items: z.array(roomSchema) }), ...errorResponses } },
    }, async (request) => ({ items: await roomsOfMySchool(ctx, requireCaller(request, 'student'), request.query.q) }));

    app.post('/campus/electricity', {
      schema: { tags: ['campus'], summary: '宿舍电费预缴: pay for a room’s meter from the campus card (the query password asked; not refundable)', security: bearer, body: buyElectricitySchema, response: { 201: electricityPurchaseSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student');
      return idempotentOperation(ctx, request, reply, 201, (c) => recordElectricityPurchase(c, caller, request.body, request.id),
        () => checkElectricityPurchase(ctx, caller, request.body, request.ip));
    });

    app.get('/campus/electricity', {
      schema: { tags: ['campus'], summary: 'The student’s own electricity purchases, newest first', security: bearer, response: { 200: z.object({ items: z.array(electricityPurchaseSchema) }), ...errorResponses } },
    }, async (request) => ({ items: await myElectricityPurchases(ctx, requireCaller(request, 'student')) }));

    app.get('/admin/campus/electricity', {
      schema: { tags: ['campus'], summary: '宿舍电费: a university’s electricity purchases and whether each reached its meter, newest first (operators may name the school)', security: bearer, querystring: adminElectricityQuerySchema, response: { 200: pageSchema(adminElectricityPurchaseSchema), ...errorResponses } },
    }, async (request) => {
      const { schoolId, status, ...page } = request.query;
      return schoolElectricityPurchases(ctx, requireCaller(request, 'operator', 'school_admin'), { schoolId, status }, page);
    });

    app.post('/admin/campus/electricity/:id/resend', {
      schema: { tags: ['campus'], summary: '重新下发: send a purchase that failed to reach its meter again, once the meter is put right', security: bearer, params: purchaseIdParams, response: { 200: adminElectricityPurchaseSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 200, (c) => resendToMeter(c, caller, request.params.id, request.id));
    });

    app.get('/admin/campus/rooms', {
      schema: { tags: ['campus'], summary: 'A university’s dorm rooms and their meters (operators name the school)', security: bearer, querystring: adminSchoolQuerySchema, response: { 200: z.object({ items: z.array(adminRoomSchema) }), ...errorResponses } },
    }, async (request) => ({ items: await schoolRooms(ctx, requireCaller(request, 'operator', 'school_admin'), request.query.schoolId) }));

    app.get('/admin/campus/venues', {
      schema: { tags: ['campus'], summary: 'A university’s practice rooms and sports venues (operators name the school)', security: bearer, querystring: adminSchoolQuerySchema, response: { 200: z.object({ items: z.array(venueSchema) }), ...errorResponses } },
    }, async (request) => ({ items: await schoolVenues(ctx, requireCaller(request, 'operator', 'school_admin'), request.query.schoolId) }));

    app.post('/admin/campus/rooms', {
      schema: { tags: ['campus'], summary: 'Register a dorm room and its meter (operators, the university’s card manager)', security: bearer, body: addRoomSchema, response: { 201: roomSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 201, (c) => addRoom(c, caller, request.body, request.id));
    });

    app.put('/admin/campus/rooms/:roomId/meter', {
      schema: { tags: ['campus'], summary: '更换电表: the room’s new meter number (operators, the university’s card manager)', security: bearer, params: roomParams, body: changeMeterSchema, response: { 200: adminRoomSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 200, (c) => changeRoomMeter(c, caller, request.params.roomId, request.body.meterNo, request.id));
    });

    app.post('/campus/repairs', {
      schema: { tags: ['campus'], summary: '网上报修: report a fault (water, power, facilities, network, telecoms)', security: bearer, body: reportRepairSchema, response: { 201: repairSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student');
      return idempotentOperation(ctx, request, reply, 201, (c) => reportRepair(c, caller, request.body, request.id));
    });

    app.get('/campus/repairs', {
      schema: { tags: ['campus'], summary: 'The student’s own repair reports, newest first', security: bearer, response: { 200: z.object({ items: z.array(repairSchema) }), ...errorResponses } },
    }, async (request) => ({ items: await myRepairs(ctx, requireCaller(request, 'student')) }));

    app.post('/campus/repairs/:repairId/cancel', {
      schema: { tags: ['campus'], summary: 'Withdraw a report before staff take it on', security: bearer, params: repairParams, response: { 200: repairSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student');
      return idempotentOperation(ctx, request, reply, 200, (c) => moveRepair(c, caller, request.params.repairId, 'cancel', undefined, request.id));
    });

    app.get('/admin/campus/repairs', {
      schema: { tags: ['campus'], summary: 'A school’s repair reports (operators, the school’s card manager)', security: bearer, querystring: adminRepairQuerySchema, response: { 200: pageSchema(repairSchema), ...errorResponses } },
    }, async (request) => {
      const { schoolId, status, ...page } = request.query;
      return schoolRepairs(ctx, requireCaller(request, 'operator', 'school_admin'), { schoolId, status }, page);
    });

    for (const event of ['accept', 'finish'] as const) {
      app.post(`/admin/campus/repairs/:repairId/${event}`, {
        schema: { tags: ['campus'], summary: event === 'accept' ? 'Take a repair report on' : 'Mark a repair done, with a note the student sees', security: bearer, params: repairParams, body: repairNoteSchema, response: { 200: repairSchema, ...errorResponses } },
      }, async (request, reply) => {
        const caller = requireCaller(request, 'operator', 'school_admin');
        return idempotentOperation(ctx, request, reply, 200, (c) => moveRepair(c, caller, request.params.repairId, event, request.body.note, request.id));
      });
    }

    app.get('/campus/venues', {
      schema: { tags: ['campus'], summary: '琴房预订 / 预订场馆: the practice rooms (kind=piano_room) or sports venues (kind=sports_court) of the student’s university, and the days open to booking', security: bearer, querystring: venueQuerySchema, response: { 200: z.object({ items: z.array(venueSchema), days: z.array(z.string()) }), ...errorResponses } },
    }, async (request) => myVenues(ctx, requireCaller(request, 'student'), request.query.kind));

    app.get('/campus/venues/:venueId/slots', {
      schema: { tags: ['campus'], summary: 'A room’s hours on a date: free, taken or mine, and whether bookable now', security: bearer, params: venueParams, querystring: slotQuerySchema, response: { 200: z.object({ items: z.array(slotSchema) }), ...errorResponses } },
    }, async (request) => ({ items: await venueSlots(ctx, requireCaller(request, 'student'), request.params.venueId, request.query.date) }));

    app.post('/campus/bookings', {
      schema: { tags: ['campus'], summary: 'Book an hour of a practice room or sports venue (up to 7 days ahead, 2 of each kind to come at most)', security: bearer, body: bookVenueSchema, response: { 201: bookingSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student');
      return idempotentOperation(ctx, request, reply, 201, (c) => bookVenue(c, caller, request.body, request.id));
    });

    app.get('/campus/bookings', {
      schema: { tags: ['campus'], summary: 'The student’s bookings still to come', security: bearer, response: { 200: z.object({ items: z.array(bookingSchema) }), ...errorResponses } },
    }, async (request) => ({ items: await myBookings(ctx, requireCaller(request, 'student')) }));

    app.post('/campus/bookings/:bookingId/cancel', {
      schema: { tags: ['campus'], summary: 'Cancel a booking before it begins', security: bearer, params: bookingParams, response: { 200: bookingSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student');
      return idempotentOperation(ctx, request, reply, 200, (c) => cancelBooking(c, caller, request.params.bookingId, request.id));
    });

    app.post('/admin/campus/venues', {
      schema: { tags: ['campus'], summary: 'Add a practice room or sports venue (operators, the university’s card manager)', security: bearer, body: addVenueSchema, response: { 201: venueSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 201, (c) => addVenue(c, caller, request.body, request.id));
    });

    app.put('/admin/campus/venues/:venueId/audience', {
      schema: { tags: ['campus'], summary: 'Whom a practice room or sports venue is kept for: named colleges and majors (both empty: the whole university)', security: bearer, params: venueParams, body: venueAudienceSchema, response: { 200: venueSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 200, (c) => setVenueAudience(c, caller, request.params.venueId, request.body, request.id));
    });

    app.post('/terminals/:terminalId/hot-water', {
      schema: { tags: ['campus'], summary: 'A dorm reader asks whether hot water may run for a card (balance ≥ ¥0.10)', security: bearer, params: terminalParams, body: hotWaterRequestSchema, response: { 200: hotWaterSchema, ...errorResponses } },
    }, async (request) => {
      const terminalId = pathTerminal(request);
      return hotWaterCheck(ctx, terminalId, request.body.cardNo);
    });

    app.post('/terminals/:terminalId/network/sessions', {
      schema: { tags: ['campus'], summary: '校园网 gateway: sign a device on with the student’s account and query password (idempotent by the gateway’s sessionId); answers the minutes it may stay on', security: bearer, params: terminalParams, body: networkSignOnSchema, response: { 201: networkGatewayAnswerSchema, ...errorResponses } },
    }, async (request, reply) => {
      const terminalId = pathTerminal(request);
      return reply.code(201).send(await signOnDevice(ctx, terminalId, request.body));
    });

    app.post('/terminals/:terminalId/network/sessions/:sessionId/usage', {
      schema: { tags: ['campus'], summary: '校园网 gateway: a session’s minutes so far, or its last (final); answers the minutes it may stay on (0: sign it off)', security: bearer, params: networkSessionParams, body: networkUsageSchema, response: { 200: networkGatewayAnswerSchema, ...errorResponses } },
    }, async (request) => {
      const terminalId = pathTerminal(request);
      return reportNetworkUsage(ctx, terminalId, request.params.sessionId, request.body);
    });

    app.get('/campus/network', {
      schema: { tags: ['campus'], summary: '校园网: the network account, this month against the ¥40 cap, devices and recent sessions', security: bearer, response: { 200: networkOverviewSchema, ...errorResponses } },
    }, async (request) => networkOverview(ctx, requireCaller(request, 'student')));

    app.post('/campus/network/top-ups', {
      schema: { tags: ['campus'], summary: '校园网充值: move money from the campus card to the network account (the query password asked)', security: bearer, body: networkTopUpSchema, response: { 201: networkTopUpResultSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student');
      return idempotentOperation(ctx, request, reply, 201, (c) => topUpNetwork(c, caller, request.body, request.id),
        () => checkNetworkTopUp(ctx, caller, request.body, request.ip));
    });

    app.post('/campus/network/balance-return', {
      schema: { tags: ['campus'], summary: '网费转回校园卡: the whole network balance back onto the student’s campus card (no device online)', security: bearer, response: { 200: networkBalanceReturnSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student');
      return idempotentOperation(ctx, request, reply, 200, (c) => returnNetworkBalance(c, caller, request.id));
    });

    app.post('/campus/network/sessions/:sessionId/sign-off', {
      schema: { tags: ['campus'], summary: '强制下线: take one of the student’s devices off the campus network', security: bearer, params: networkSessionIdParams, response: { 200: networkSessionSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'student');
      return idempotentOperation(ctx, request, reply, 200, (c) => kickNetworkSession(c, caller, request.params.sessionId, request.id));
    });
  };
}

type App = Parameters<FastifyPluginAsyncZod>[0];

/** 借阅图书 (seed 004): the student's catalogue search, loans, renewals and fines; the library desk's catalogue and returns in the console. */
function libraryRoutes(ctx: AppContext, app: App): void {
  const tags = ['campus'];
  app.get('/campus/library/books', {
    schema: { tags, summary: '馆藏查询: books of the student’s university by title, author or barcode, and whether each is on the shelf', security: bearer, querystring: libraryBookQuerySchema, response: { 200: z.object({ items: z.array(libraryBookSchema) }), ...errorResponses } },
  }, async (request) => ({ items: await searchBooks(ctx, requireCaller(request, 'student'), request.query.q) }));
  app.get('/campus/library/loans', {
    schema: { tags, summary: '我的借阅: books on loan, the last returned, and the fines owed', security: bearer, response: { 200: libraryLoansSchema, ...errorResponses } },
  }, async (request) => myLoans(ctx, requireCaller(request, 'student')));
  app.post('/campus/library/loans', {
    schema: { tags, summary: '借书: borrow a book by its barcode for 30 days (at most 10; not with a book overdue or a fine unpaid)', security: bearer, body: borrowBookSchema, response: { 201: libraryLoanSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student');
    return idempotentOperation(ctx, request, reply, 201, (c) => borrowBook(c, caller, request.body.barcode, request.id));
  });
  app.post('/campus/library/loans/:loanId/renew', {
    schema: { tags, summary: '续借: once, before it is overdue; due 30 days from today', security: bearer, params: loanParams, response: { 200: libraryLoanSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student');
    return idempotentOperation(ctx, request, reply, 200, (c) => renewLoan(c, caller, request.params.loanId, request.id));
  });
  app.post('/campus/library/fines/pay', {
    schema: { tags, summary: '缴纳罚款: every unpaid fine from the campus card (the query password asked)', security: bearer, body: payLibraryFinesSchema, response: { 200: libraryLoansSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'student');
    return idempotentOperation(ctx, request, reply, 200, (c) => payLibraryFines(c, caller, request.id),
      () => checkFinePayment(ctx, caller, request.body.queryPassword, request.ip));
  });

  app.get('/admin/campus/library/books', {
    schema: { tags, summary: 'The library’s catalogue: each book, who has it (masked) and whether it is overdue', security: bearer, querystring: adminLibraryBookQuerySchema, response: { 200: pageSchema(adminLibraryBookSchema), ...errorResponses } },
  }, async (request) => {
    const { schoolId, q, ...page } = request.query;
    return schoolBooks(ctx, requireCaller(request, 'operator', 'school_admin'), { schoolId, q }, page);
  });
  app.post('/admin/campus/library/books', {
    schema: { tags, summary: 'Add a book to a university library’s catalogue (a barcode once per school)', security: bearer, body: addLibraryBookSchema, response: { 201: adminLibraryBookSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'operator', 'school_admin');
    return idempotentOperation(ctx, request, reply, 201, (c) => addBook(c, caller, request.body, request.id));
  });
  app.post('/admin/campus/library/returns', {
    schema: { tags, summary: '还书 at the library desk: ends the book’s loan; a late return is fined ¥0.10 a day, at most ¥20', security: bearer, body: returnLibraryBookSchema, response: { 200: libraryReturnSchema, ...errorResponses } },
  }, async (request, reply) => {
    const caller = requireCaller(request, 'operator', 'school_admin');
    return idempotentOperation(ctx, request, reply, 200, (c) => returnBook(c, caller, request.body, request.id));
  });
}
