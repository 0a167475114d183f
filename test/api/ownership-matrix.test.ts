import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { registerTerminal } from '../support/terminals.js';
import { fund } from '../support/money.js';
import { goodPhone } from './ecards-support.js';
import { FulfilmentDriver } from './fulfilment-driver.js';
import { newTerminal, signedTap, uploadOk } from './transit-support.js';
import type { TestApp } from '../support/app.js';

/**
 * Every read is authorised by ownership (engineering guide, "Privacy"), checked for the whole API
 * at once. Family A's pupil, parent and university student, the card managers of two other
 * schools and another university's kiosk (the callers, below) call every operation of the OpenAPI
 * document with family B's ids (B's records, below) in every path, query and body field named for
 * one. Whatever a read answers (a refusal, or a list narrowed to the caller's own), nothing of B
 * may be in it that the caller did not send, and a refusal names not even B's school; every change
 * asked for on B's records is refused, with nothing written to the audit log. A change that names
 * nothing of B's is listed in `notAboutB` with the reason it is not swept. A record of B's school (its notice, its university's venue) is also its pupils' and
 * students' to see and use: those callers are named on the record (`sharedWith`).
 */

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; items?: Schema; enum?: unknown[]; const?: unknown; format?: string; pattern?: string; minimum?: number; maximum?: number; minLength?: number; anyOf?: Schema[]; oneOf?: Schema[] };
type Operation = { parameters?: { name: string; in: 'path' | 'query' | 'header' }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } };

/** The callers the matrix asks as; none of them may reach family B. */
type CallerName = 'pupilA' | 'parentA' | 'undergradA' | 'managerElsewhere' | 'campusManagerElsewhere' | 'kioskElsewhere';
const callers = {} as Record<CallerName, string>;
/** Who may see and change family B's records: B's parent and students in the app, their schools' card managers and an operator in the console. */
const rightful: Record<string, string> = {};

/**
 * One of family B's records (or its school's), as the API names it: `param` is the path, query or
 * body field it goes in (`onlyIn`: only on paths like this, where a name means several things).
 * `markers` must not be shown to a caller it is not shared with; its own value is one unless said.
 */
interface BRecord {
  what: string;
  param: string;
  value: string;
  markers: string[];
  /** Shown in a refusal, these say which of B's records it is about (a record's school): only a refusal must not show them. */
  refusalMarkers: string[];
  sharedWith: CallerName[];
  onlyIn?: RegExp;
}
const records: BRecord[] = [];
function record(what: string, param: string, value: string, options: { markers?: string[]; valueIsMarker?: boolean | 'in refusals'; sharedWith?: CallerName[]; onlyIn?: RegExp } = {}) {
  for (const m of [value, ...(options.markers ?? [])]) expect(typeof m === 'string' && m.length > 3, `${what}: ${String(m)}`).toBe(true);
  const valueIsMarker = options.valueIsMarker ?? true;
  records.push({
    what, param, value, markers: [...(valueIsMarker === true ? [value] : []), ...(options.markers ?? [])], refusalMarkers: valueIsMarker === 'in refusals' ? [value] : [],
    sharedWith: options.sharedWith ?? [], ...(options.onlyIn ? { onlyIn: options.onlyIn } : {}),
  });
}
/** Body fields that name no one's record, given values the use cases accept, so that a change gets as far as its ownership check. */
const neutralBody: Record<string, unknown> = { feeCode: '174011', newPin: '975310', academicYear: '2026-2027', delivery: { method: 'school' } };
/** A raw body for the operations that take one: a 1×1 PNG for a card photo. */
const tinyPng = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
/** Parameters that name no one's record: a route's own key (a day, a year, a consent's purpose). */
const neutral: Record<string, string> = { date: '2026-11-24', year: '2027', purpose: 'photo', termCode: '2026-2027-1' };

let f: FulfilmentDriver;
let t: TestApp;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });
async function call(token: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  const res = await f.request(method as 'POST', url, token, payload);
  expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
  return res.json() as Record<string, unknown> & { id: string };
}

beforeAll(async () => {
  f = new FulfilmentDriver();
  await f.open();
  t = f.t;
  const operatorToken = () => t.factory.operatorToken();
  const login = (s: { education_id: string; password: string }) => t.factory.loginAs('student', s.education_id, s.password);

  // Five weeks before: B's university student borrows a book that will be late.
  t.clock.set('2026-10-20T02:00:00Z');
  const school = await t.factory.newSchool({ stage: 'primary' });
  const otherSchool = await t.factory.newSchool({ stage: 'primary' });
  const university = await t.factory.newSchool({ stage: 'university' });
  const otherUniversity = await t.factory.newSchool({ stage: 'university' });
  const queryPassword = '246813';
  const undergradB = await t.factory.newStudent({ schoolId: university.id, name: '乙大学生', queryPassword });
  await t.ctx.db.updateTable('students').set({ student_no: 'B2026001' }).where('id', '=', undergradB.id).execute();
  const campusCardB = await t.factory.newCard(undergradB.id, { product: 'campus_card' });
  await fund(t, campusCardB.id, 50_000);
  const addBook = async (barcode: string, title: string) => call(await operatorToken(), 'POST', '/admin/campus/library/books', { schoolId: university.id, barcode, title, author: '乙作者', callNo: 'I247.5/99' });
  const lateBook = await addBook(`BLATE-${process.pid}`, '乙馆藏迟还书');
  const lateLoan = await call(await login(undergradB), 'POST', '/campus/library/loans', { barcode: lateBook.barcode });
  t.clock.set('2026-11-10T02:00:00Z');
  const book = await addBook(`BLOAN-${process.pid}`, '乙馆藏在借书');
  const loan = await call(await login(undergradB), 'POST', '/campus/library/loans', { barcode: book.barcode });

  // Monday 2026-11-23, 10:00 in Beijing (inside the fee payment window): the rest of family B's records.
  t.clock.set('2026-11-23T02:00:00Z');
  let operator = await operatorToken();
  const pupilB = await t.factory.newStudent({ schoolId: school.id, name: '乙小学生' });
  const cardB = await t.factory.newCard(pupilB.id);
  const parentB = await t.factory.newParent({ children: [pupilB.id] });
  let parentBToken = await t.factory.loginAs('parent', parentB.phone, parentB.password);
  const pendingOrder = await call(parentBToken, 'POST', '/orders/top-up', { cardId: cardB.id, amountFen: 5_000 });
  const paidOrder = await call(parentBToken, 'POST', '/orders/top-up', { cardId: cardB.id, amountFen: 10_000 });
  await f.d.payAtCashier(parentBToken, paidOrder.id, 'alipay');
  await f.runJobs();
  // B's pupil takes the bus (the validator uploads the signed tap), and B's younger child opens a K-12 e-card.
  const bus = await newTerminal(t, operator);
  await uploadOk(t, bus, [signedTap(t.ctx.config.secrets.cardMasterKey, bus.code, { seq: 1, cardNo: cardB.card_no, cardCounter: 1, amountFen: 100, balanceAfterFen: 9_900, at: '2026-11-23T01:30:00.000Z' })]);
  const trip = ((await call(parentBToken, 'GET', `/cards/${cardB.id}/trips`)).items as { terminalCode: string }[])[0]!;
  const siblingB = await t.factory.newStudent({ schoolId: school.id, name: '乙二小学生' });
  await t.factory.newCard(siblingB.id);
  await t.ctx.db.insertInto('parent_students').values({ parent_id: parentB.id, student_id: siblingB.id, relation: '母亲', bound_at: t.clock.now() }).execute();
  const ecard = (await call(await login(siblingB), 'POST', '/ecards/k12', {
    studentId: siblingB.id, schoolId: school.id, name: siblingB.name, idNumber: siblingB.id_number, educationId: siblingB.education_id, phone: goodPhone, agreementVersion: '2026-09', agreementAccepted: true,
  })).card as { id: string; cardNo: string };
  await call(operator, 'POST', '/admin/campus/bills', { schoolId: university.id, studentNo: 'B2026001', kind: 'tuition', academicYear: '2026-2027', amountFen: 500_000, dueDate: '2027-03-01' });

  // B's school: a notice it published, and one still a draft; a roster import.
  const notice = await call(operator, 'POST', '/admin/notices', { schoolId: school.id, title: '乙校公告标题', body: '乙校公告正文', publish: true });
  const draft = await call(operator, 'POST', '/admin/notices', { schoolId: school.id, title: '乙校草稿标题', body: '乙校草稿正文' });
  const upload = await t.app.inject({
    method: 'POST', url: `/api/v1/admin/schools/${school.id}/roster-imports`, headers: { ...auth(operator), 'content-type': 'text/csv' },
    payload: '教育ID,姓名,性别,出生日期,身份证号,年级,班级\n39000001,乙名册学生,男,2013-03-05,110108201303050034,1,1\n',
  });
  expect(upload.statusCode, upload.body).toBe(202);
  const importId = (upload.json() as { id: string }).id;
  for (let i = 0; i < 200 && (await call(operator, 'GET', `/admin/roster-imports/${importId}`)).status === 'running'; i++) await new Promise((r) => setTimeout(r, 10));

  // B's university: its canteen till, network gateway, a dorm room, a practice room; B's student
  // buys lunch and electricity, books the room, reports a fault, goes online, returns a book late.
  const pos = await registerTerminal(t, { kind: 'pos', operatorName: '乙校一食堂', schoolId: university.id });
  const gateway = await registerTerminal(t, { kind: 'network_gateway', operatorName: '乙校网络中心', schoolId: university.id });
  let undergradBToken = await login(undergradB);
  const bill = ((await call(undergradBToken, 'GET', '/campus/bills')).items as { id: string }[])[0]!;
  const bought = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${pos.id}/purchases`, headers: auth(pos.token), payload: { purchaseId: 'BPURCHASE-0001', amountFen: 1_000, cardNo: campusCardB.card_no } });
  expect(bought.statusCode, bought.body).toBe(201);
  const purchase = ((await call(operator, 'GET', `/admin/campus/purchases?schoolId=${university.id}`)).items as { id: string }[])[0]!;
  const room = await call(operator, 'POST', '/admin/campus/rooms', { schoolId: university.id, building: '乙宿舍楼', roomNo: '101', meterNo: `BM-${process.pid}` });
  const electricity = await call(undergradBToken, 'POST', '/campus/electricity', { roomId: room.id, amountFen: 1_000, queryPassword });
  const venue = await call(operator, 'POST', '/admin/campus/venues', { schoolId: university.id, kind: 'piano_room', name: '乙校琴房' });
  const booking = await call(undergradBToken, 'POST', '/campus/bookings', { venueId: venue.id, date: '2026-11-26', hour: 10 });
  const repair = await call(undergradBToken, 'POST', '/campus/repairs', { category: 'water', location: '乙宿舍楼报修处', description: '乙大学生报修描述' });
  await call(undergradBToken, 'POST', '/campus/network/top-ups', { amountFen: 1_000, queryPassword });
  const signedOn = await t.app.inject({ method: 'POST', url: `/api/v1/terminals/${gateway.id}/network/sessions`, headers: auth(gateway.token), payload: { sessionId: 'BNET-SESSION-1', account: undergradB.id_number, password: queryPassword, mac: 'B0:0B:00:00:00:01' } });
  expect(signedOn.statusCode, signedOn.body).toBe(201);
  const networkSession = ((await call(undergradBToken, 'GET', '/campus/network')).sessions as { id: string }[])[0]!;
  await call(operator, 'POST', '/admin/campus/library/returns', { schoolId: university.id, barcode: lateBook.barcode });
  const fines = await call(undergradBToken, 'GET', '/campus/library/loans');
  expect(fines.finesOwedFen).toBeGreaterThan(0);
  // What is left on the campus card waits at an outlet (it came from no gateway).
  const balanceRefund = await call(undergradBToken, 'POST', '/balance-refunds', { cardId: campusCardB.id });

  // B's card is lost and replaced by post: paid, confirmed, made and sent out in a parcel.
  await f.reportLoss(parentBToken, cardB.id);
  const delivery = { method: 'home', recipient: '乙家收件人', phone: '13900001111', address: '北京市西城区乙家胡同9号' };
  const application = await f.apply(parentBToken, pupilB, cardB.id, { delivery });
  await f.pay(parentBToken, application.id);
  await t.factory.givePhoto(pupilB.id);
  const confirmation = await call(parentBToken, 'GET', `/fulfilment/confirmation?studentId=${pupilB.id}`);
  await call(parentBToken, 'POST', `/fulfilment/confirmations/${confirmation.id}/confirm`);
  const batch = await call(operator, 'POST', '/admin/fulfilment/batches', { kind: 'replacement' });
  for (const step of ['export', 'produced', 'dispatch']) expect((await f.request('POST', `/admin/fulfilment/batches/${batch.id}/${step}`, operator)).statusCode).toBe(200);
  const parcel = ((await call(operator, 'GET', `/admin/fulfilment/deliveries?batchId=${batch.id}`)).items as { id: string }[])[0]!;
  // B's parent opens a withholding agreement (still signing).
  const agreement = (await call(parentBToken, 'POST', '/me/payment-agreement', {})).agreement as { id: string };

  // The next day: an e-invoice for the paid top-up, then part of it refunded (a red-letter invoice).
  t.clock.set('2026-11-24T02:00:00Z');
  operator = await operatorToken();
  parentBToken = await t.factory.loginAs('parent', parentB.phone, parentB.password);
  undergradBToken = await login(undergradB);
  const invoice = await call(parentBToken, 'POST', `/orders/${paidOrder.id}/invoice`, { title: '乙家发票抬头' });
  const partRefund = await call(operator, 'POST', `/admin/orders/${paidOrder.id}/refunds`, { amountFen: 2_000 });
  const redLetter = ((await call(parentBToken, 'GET', `/orders/${paidOrder.id}/invoice`)).redLetters as { invoiceNo: string }[])[0]!;

  // B's university's 教务系统 sends this term's timetable and grades: B's student is a full-time undergraduate (as the roster's 培养层次 and 学习形式 say).
  await t.ctx.db.updateTable('students').set({ study_level: 'undergraduate', full_time: true }).where('id', '=', undergradB.id).execute();
  const term = `/admin/academic/terms/2026-2027-1`;
  await call(operator, 'PUT', `${term}?schoolId=${university.id}`, { firstMonday: '2026-09-07', weeks: 18 });
  await call(operator, 'PUT', `${term}/timetable?schoolId=${university.id}`, { courses: [{ studentNo: 'B2026001', courseName: '乙大学生的课程', teacher: '乙任课老师', location: '乙教学楼301', weekday: 2, periods: '1-2', weeks: '1-18' }] });
  await call(operator, 'PUT', `${term}/grades?schoolId=${university.id}`, { grades: [{ studentNo: 'B2026001', courseName: '乙大学生成绩课程', credits: 3, score: 91 }] });

  // Family A, the card managers of another primary school and another university, and that university's service kiosk.
  const pupilA = await t.factory.newStudent({ schoolId: school.id, name: '甲小学生' });
  await t.factory.newCard(pupilA.id);
  const parentA = await t.factory.newParent({ children: [pupilA.id] });
  const undergradA = await t.factory.newStudent({ schoolId: university.id, name: '甲大学生', queryPassword });
  await t.factory.newCard(undergradA.id, { product: 'campus_card' });
  const managerElsewhere = await t.factory.newStaff('school_admin', { schoolId: otherSchool.id });
  const campusManagerElsewhere = await t.factory.newStaff('school_admin', { schoolId: otherUniversity.id });
  const kioskElsewhere = await t.factory.newStaff('kiosk', { schoolId: otherUniversity.id });
  Object.assign(callers, {
    pupilA: await login(pupilA),
    parentA: await t.factory.loginAs('parent', parentA.phone, parentA.password),
    undergradA: await login(undergradA),
    managerElsewhere: await t.factory.loginAs('staff', managerElsewhere.username, managerElsewhere.password),
    campusManagerElsewhere: await t.factory.loginAs('staff', campusManagerElsewhere.username, campusManagerElsewhere.password),
    kioskElsewhere: await t.factory.loginAs('staff', kioskElsewhere.username, kioskElsewhere.password),
  } satisfies Record<CallerName, string>);
  const managerB = await t.factory.newStaff('school_admin', { schoolId: school.id });
  const campusManagerB = await t.factory.newStaff('school_admin', { schoolId: university.id });
  const kioskB = await t.factory.newStaff('kiosk', { schoolId: university.id });
  Object.assign(rightful, {
    parentB: parentBToken, pupilB: await login(pupilB), undergradB: undergradBToken, operator,
    managerB: await t.factory.loginAs('staff', managerB.username, managerB.password),
    campusManagerB: await t.factory.loginAs('staff', campusManagerB.username, campusManagerB.password),
    kioskB: await t.factory.loginAs('staff', kioskB.username, kioskB.password),
  });

  // Family B's records, and its schools'.
  record('B’s pupil', 'studentId', pupilB.id, { markers: [pupilB.name, pupilB.education_id, pupilB.id_number] });
  record('B’s university student', 'studentId', undergradB.id, { markers: [undergradB.name, undergradB.education_id, undergradB.id_number] });
  record('B’s pupil’s education id', 'educationId', pupilB.education_id);
  record('B’s university student’s number', 'studentNo', 'B2026001');
  record('B’s parent', 'parentId', parentB.id, { markers: [parentB.phone] });
  // What a console search or the audit log is asked about.
  record('B’s pupil’s education id, searched for', 'q', pupilB.education_id, { valueIsMarker: false });
  record('B’s university student’s name, searched for', 'q', undergradB.name, { valueIsMarker: false });
  record('B’s campus card number, searched for', 'q', campusCardB.card_no, { valueIsMarker: false });
  record('B’s parent’s phone, searched for', 'q', parentB.phone, { valueIsMarker: false });
  record('B’s pupil, in the audit log', 'entityId', pupilB.id, { valueIsMarker: false });
  record('B’s pupil’s card (lost, replaced)', 'cardId', cardB.id, { markers: [cardB.card_no] });
  record('B’s campus card', 'cardId', campusCardB.id, { markers: [campusCardB.card_no] });
  record('B’s younger child', 'studentId', siblingB.id, { markers: [siblingB.name, siblingB.education_id] });
  record('B’s younger child’s e-card', 'cardId', ecard.id, { markers: [ecard.cardNo] });
  record('B’s pupil’s bus trip (the validator it was taken on)', '(no parameter)', trip.terminalCode);
  record('B’s pupil’s ID number (never shown whole)', 'idNumber', pupilB.id_number, { valueIsMarker: false });
  record('B’s university student’s ID number (never shown whole)', 'idNumber', undergradB.id_number, { valueIsMarker: false });
  // B's pupil's name and birth date where a body proves who the student is (elsewhere a name is a school's, a venue's…).
  const identityPaths = /\/(fulfilment|ecards|me\/children|education-id-lookups|password-resets)/;
  record('B’s pupil’s name, proving who they are', 'name', pupilB.name, { valueIsMarker: false, onlyIn: identityPaths });
  record('B’s pupil’s birth date, proving who they are', 'birthDate', pupilB.birth_date, { valueIsMarker: false, onlyIn: identityPaths });
  record('B’s pupil’s card number', 'cardNo', cardB.card_no);
  record('B’s campus card number', 'cardNo', campusCardB.card_no);
  record('B’s unpaid top-up order', 'orderId', pendingOrder.id, { markers: [pendingOrder.orderNo as string] });
  record('B’s paid top-up order', 'orderId', paidOrder.id, { markers: [paidOrder.orderNo as string] });
  record('B’s red-letter invoice', 'invoiceNo', redLetter.invoiceNo, { markers: [invoice.invoiceNo as string, '乙家发票抬头'] });
  record('B’s tuition bill', 'billId', bill.id);
  record('B’s balance refund', 'balanceRefundId', balanceRefund.id);
  // Settling a refund the gateway gave up on (异常退款, offline transfer, asked again) is an operator's: card managers are refused too.
  record('B’s refund of its paid top-up', 'refundId', partRefund.id);
  record('B’s parent’s withholding agreement', 'agreementId', agreement.id);
  record('B’s replacement application', 'applicationId', application.id, { markers: [delivery.recipient, delivery.address] });
  record('B’s card-face confirmation', 'confirmationId', confirmation.id);
  record('the production batch of B’s card', 'batchId', batch.id);
  record('B’s parcel', 'deliveryId', parcel.id);
  record('B’s canteen purchase', 'id', purchase.id, { onlyIn: /\/campus\/purchases\// });
  record('B’s canteen purchase, as the till names it', 'purchaseId', 'BPURCHASE-0001');
  record('B’s electricity purchase', 'id', electricity.id, { onlyIn: /\/electricity\// });
  record('B’s venue booking', 'bookingId', booking.id);
  record('B’s repair report', 'repairId', repair.id, { markers: ['乙大学生报修描述', '乙宿舍楼报修处'] });
  record('B’s network session, as the gateway names it', 'sessionId', 'BNET-SESSION-1', { onlyIn: /^\/api\/v1\/terminals\// });
  record('B’s network session', 'sessionId', networkSession.id, { onlyIn: /^\/api\/v1\/campus\//, markers: ['B0:0B:00:00:00:01'] });
  record('B’s library loan', 'loanId', loan.id);
  record('B’s late library loan, fined', 'loanId', lateLoan.id);
  record('B’s school’s roster import', 'importId', importId);
  record('B’s timetable', '(no parameter)', '乙大学生的课程', { markers: ['乙任课老师', '乙教学楼301'] });
  record('B’s grades', '(no parameter)', '乙大学生成绩课程');
  record('B’s school’s draft notice', 'noticeId', draft.id, { markers: ['乙校草稿标题', '乙校草稿正文'] });
  // What B's school and university keep for all their pupils and students.
  // Schools are listed to everyone (GET /schools), but a refusal naming one the caller did not says where B's record is.
  record('B’s school', 'schoolId', school.id, { valueIsMarker: 'in refusals', sharedWith: ['pupilA', 'parentA'] });
  record('B’s university', 'schoolId', university.id, { valueIsMarker: 'in refusals', sharedWith: ['undergradA'] });
  record('B’s school’s published notice', 'noticeId', notice.id, { markers: ['乙校公告标题', '乙校公告正文'], sharedWith: ['pupilA', 'parentA'] });
  record('B’s university’s practice room', 'venueId', venue.id, { markers: ['乙校琴房'], sharedWith: ['undergradA'] });
  record('B’s university’s dorm room', 'roomId', room.id, { markers: ['乙宿舍楼'], sharedWith: ['undergradA'] });
  record('B’s university’s library book', 'barcode', book.barcode as string, { markers: ['乙馆藏在借书', '乙馆藏迟还书'], sharedWith: ['undergradA'] });
  record('B’s university’s canteen till', 'terminalId', pos.id, { valueIsMarker: false, onlyIn: /^(?!.*\/network\/)/ });
  record('B’s university’s network gateway', 'terminalId', gateway.id, { valueIsMarker: false, onlyIn: /\/network\// });
}, 120_000);
afterAll(async () => f.close());

interface Endpoint { method: string; path: string; operation: Operation; pathNames: string[]; queryNames: string[]; bodySchema: Schema | undefined }
async function endpoints(): Promise<Endpoint[]> {
  const doc = (await t.app.inject('/openapi.json')).json() as { paths: Record<string, Record<string, Operation>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map(([method, operation]) => {
    const params = operation.parameters ?? [];
    return {
      method: method.toUpperCase(), path, operation,
      pathNames: params.filter((p) => p.in === 'path').map((p) => p.name),
      queryNames: params.filter((p) => p.in === 'query').map((p) => p.name),
      bodySchema: operation.requestBody?.content?.['application/json']?.schema,
    };
  }));
}

const recordsFor = (name: string, path: string) => records.filter((r) => r.param === name && (!r.onlyIn || r.onlyIn.test(path)));

/**
 * The ways to aim an operation at family B: one per combination of B's records its path and query
 * name (B's pupil's card and B's campus card, B's school and B's university…). Undefined when its
 * path names something B has no record of (nor is a neutral key): the matrix would miss it.
 */
function variantsOf(e: Endpoint): Record<string, BRecord>[] | undefined {
  let variants: Record<string, BRecord>[] = [{}];
  // A body's top-level fields named for B's records (a school id) vary too; deeper ones take the first of their kind.
  const bodyNames = Object.keys(e.bodySchema?.properties ?? {}).filter((name) => recordsFor(name, e.path).length > 1);
  for (const name of [...e.pathNames, ...e.queryNames, ...bodyNames]) {
    const candidates = recordsFor(name, e.path);
    if (candidates.length === 0) {
      if (e.pathNames.includes(name) && !(name in neutral)) return undefined;
      continue;
    }
    variants = variants.flatMap((v) => candidates.map((r) => ({ ...v, [name]: r })));
  }
  return variants;
}

function urlOf(e: Endpoint, variant: Record<string, BRecord>): string {
  const url = e.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(variant[name]?.value ?? neutral[name]!));
  const query = new URLSearchParams(e.queryNames.filter((n) => variant[n] || n in neutral).map((n) => [n, variant[n]?.value ?? neutral[n]!])).toString();
  return query ? `${url}?${query}` : url;
}

/** Markers of B's that the caller may not see (in an answer of this status). */
const hiddenFrom = (caller: string, status: number) => records.filter((r) => !r.sharedWith.includes(caller as CallerName)).flatMap((r) => (status >= 400 ? [...r.markers, ...r.refusalMarkers] : r.markers));

it('never shows family B to family A or to another school’s card manager, whatever B’s records are put in a read', async () => {
  const reads = (await endpoints()).filter((e) => e.method === 'GET');
  expect(reads.length).toBeGreaterThan(60);
  const leaks: string[] = [];
  const unswept: string[] = [];
  /** Which of B's markers B's own parent, students or an operator were shown: each record's must be, or its markers prove nothing. */
  const seenByRightful = new Set<string>();
  let asked = 0;
  for (const e of reads) {
    const variants = variantsOf(e);
    if (!variants) {
      unswept.push(`GET ${e.path}`);
      continue;
    }
    for (const variant of variants) {
      const url = urlOf(e, variant);
      const sent = decodeURIComponent(url);
      for (const [caller, token] of Object.entries(callers)) {
        const res = await t.app.inject({ method: 'GET', url, headers: auth(token) });
        asked++;
        expect(res.statusCode, `GET ${url} as ${caller}: ${res.body.slice(0, 200)}`).toBeLessThan(500);
        // An error may say back what it was asked about (CARD_NOT_FOUND { cardId }): that tells the caller nothing new.
        const seen = hiddenFrom(caller, res.statusCode).filter((m) => res.body.includes(m) && !sent.includes(m));
        if (seen.length > 0) leaks.push(`GET ${url} as ${caller} → ${res.statusCode} shows ${seen.join(', ')}`);
      }
      for (const token of Object.values(rightful)) {
        const res = await t.app.inject({ method: 'GET', url, headers: auth(token) });
        for (const m of records.flatMap((r) => r.markers)) if (res.body.includes(m) && !sent.includes(m)) seenByRightful.add(m);
      }
    }
  }
  expect(unswept).toEqual([]);
  expect(leaks).toEqual([]);
  expect(records.filter((r) => r.markers.length > 0 && !r.markers.some((m) => seenByRightful.has(m))).map((r) => r.what)).toEqual([]);
  expect(asked).toBeGreaterThan(400);
});

/**
 * A body the operation's schema accepts, as near as a plain reading of it gets: required fields
 * only, B's record where a field is named for one (the variant's, else the first of its kind; each
 * one used is noted in `used`), the first of an enum, the least number.
 */
function bodyFor(schema: Schema | undefined, e: Endpoint, variant: Record<string, BRecord>, used: Set<BRecord>, name = ''): unknown {
  if (!schema) return undefined;
  const mine = variant[name] ?? recordsFor(name, e.path)[0];
  if (mine) {
    used.add(mine);
    return mine.value;
  }
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (name in neutralBody) return neutralBody[name];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return bodyFor(alternatives.find((s) => s.type !== 'null') ?? alternatives[0], e, variant, used, name);
  const type = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      // The required fields, and any other named for one of B's records (a school id).
      const keys = Object.keys(schema.properties ?? {}).filter((key) => schema.required?.includes(key) || recordsFor(key, e.path).length > 0);
      return Object.fromEntries(keys.map((key) => [key, bodyFor(schema.properties?.[key], e, variant, used, key)]));
    }
    case 'array':
      return [bodyFor(schema.items, e, variant, used, name)];
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, Math.min(100, schema.maximum ?? 100));
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'uuid') return bodyFor(schema, e, variant, used, 'cardId');
      if (schema.format === 'date') return '2027-01-15';
      if (schema.pattern) {
        try {
          return fc.sample(fc.stringMatching(new RegExp(schema.pattern)), { numRuns: 1, seed: 1 })[0];
        } catch {
          return 'x'.repeat(schema.minLength ?? 1);
        }
      }
      return '测'.repeat(Math.max(schema.minLength ?? 1, 2));
    default:
      return null;
  }
}

/** Refusals that say "not yours, or not for your role": enough on their own. */
const ownershipRefusal = /^(ACCESS_DENIED|FORBIDDEN|NOT_FOUND|UNAUTHENTICATED)$|_NOT_FOUND$|_ROLE$|_ONLY$/;
/** Codes named otherwise that are looked up among the caller's own records only, so mean "not yours" too. */
const notAmongYours = new Set([
  'CAMPUS_NETWORK_SESSION_UNKNOWN', // the session among the calling student's own (kickNetworkSession)
  'PAYMENT_AGREEMENT_NONE', // no live agreement of the calling parent's has that id (endAgreement)
  'FULFILMENT_IDENTITY_MISMATCH', // also said of an education ID of a student the caller may not act for (verifyIdentity)
  'SCHOOL_BILL_STUDENT_UNKNOWN', // the student number among the card manager's own university's students (issueBill)
  'PASSWORD_CHANGE_CHANNEL', // a consumption PIN is set at a kiosk only: a refusal by role
  'ACADEMIC_TERM_UNKNOWN', // the term among the card manager's own university's (their school stands for the one asked)
  'CAMPUS_CARD_NONE', // the student of that ID number among the kiosk's own school's (kioskReplaceCampusCard)
]);

/**
 * The changes that name nothing of family B's (no path, query or body field is one of B's
 * records), or whose only authority is what the caller knows, and why each is not swept. `operators` marks those only an operator (or a gateway, or
 * a terminal) may ask for: each of the matrix's callers must be refused them with FORBIDDEN.
 */
const notAboutB: Record<string, { why: string; operators?: true }> = {
  'POST /api/v1/sessions': { why: 'signs in with a login and password: anyone may try, and it is throttled (identity tests)' },
  'DELETE /api/v1/sessions/current': { why: 'ends the caller’s own session (it would sign the matrix out)' },
  'POST /api/v1/me/password': { why: 'changes the caller’s own password' },
  'POST /api/v1/me/data-export': { why: 'exports the caller’s own data' },
  'POST /api/v1/password-resets/student': { why: 'anonymous: proves who one is by name, ID number and birth date' },
  'POST /api/v1/me/children': { why: 'a parent binds a child by knowing its education ID, name and birth date or ID number (identity tests)' },
  'POST /api/v1/education-id-lookups': { why: 'anonymous: whoever gives a student’s name, ID number, birth date and school is told the education ID (throttled; identity tests)' },
  'POST /api/v1/password-resets/parent/codes': { why: 'anonymous: texts a code to the phone given' },
  'POST /api/v1/password-resets/parent': { why: 'anonymous: needs the code texted to that phone' },
  'POST /api/v1/orders/network-top-up': { why: 'the caller’s own network account' },
  'POST /api/v1/me/payment-agreement': { why: 'opens the calling parent’s own agreement' },
  'POST /api/v1/terminal-sessions': { why: 'a terminal signs in with its own secret' },
  'POST /api/v1/ecards/phone-check': { why: 'checks the phone described; stores nothing of anyone' },
  'POST /api/v1/campus/payment-codes': { why: 'the calling student’s own payment code' },
  'PUT /api/v1/campus/purchase-limit': { why: 'the calling student’s own limit' },
  'POST /api/v1/campus/library/fines/pay': { why: 'pays the calling student’s own fines' },
  'POST /api/v1/campus/repairs': { why: 'reports a fault as the calling student' },
  'POST /api/v1/campus/network/top-ups': { why: 'the calling student’s own network account' },
  'POST /api/v1/campus/network/balance-return': { why: 'the calling student’s own network account' },
  'POST /api/v1/payments/notify/alipay': { why: 'a gateway’s signed notification, answered in its own protocol (payments tests)', operators: true },
  'POST /api/v1/payments/notify/wechat': { why: 'a gateway’s signed notification, answered in its own protocol (payments tests)', operators: true },
  'POST /api/v1/admin/schools': { why: 'operators add a school', operators: true },
  'POST /api/v1/admin/calendar/years': { why: 'operators load a calendar year', operators: true },
  'PUT /api/v1/admin/calendar/days/{date}': { why: 'operators correct a calendar day', operators: true },
  'PUT /api/v1/admin/settings/payment-weekdays': { why: 'operators set the payment weekdays', operators: true },
  'PUT /api/v1/ecards/phone-support': { why: 'operators keep the list of supported phones', operators: true },
  'PUT /api/v1/admin/fulfilment/settings': { why: 'operators set the settlement window', operators: true },
  'POST /api/v1/admin/payments/reconciliations/{date}': { why: 'operators reconcile a day’s bill files', operators: true },
  'PUT /api/v1/admin/card-extension-windows/{year}': { why: 'operators open a year’s extension window', operators: true },
  'POST /api/v1/admin/campus/bills/file': { why: 'a bill file (CSV body) names its school per row (school-bills tests)' },
};

it('refuses every change family A or another school’s card manager asks for on family B’s records, and changes nothing', async () => {
  const writes = (await endpoints()).filter((e) => e.method !== 'GET');
  const audited = async () => Number((await t.ctx.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const findings: string[] = [];
  const unswept: string[] = [];
  const unexplained: string[] = [];
  let asked = 0;
  for (const e of writes) {
    const key = `${e.method} ${e.path}`;
    const variants = variantsOf(e);
    if (!variants) {
      unswept.push(key);
      continue;
    }
    for (const variant of variants) {
      const used = new Set(Object.values(variant));
      const json = bodyFor(e.bodySchema, e, variant, used);
      const raw = e.path.endsWith('/photo') ? { type: 'image/png', bytes: tinyPng } : undefined;
      const body = raw ? undefined : json;
      const url = urlOf(e, variant);
      const send = (token: string) => t.app.inject({
        method: e.method as 'POST', url,
        headers: { ...auth(token), ...(raw ? { 'content-type': raw.type } : body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(raw ? { payload: raw.bytes } : body !== undefined ? { payload: JSON.stringify(body) } : {}),
      });
      const known = notAboutB[key];
      if (used.size === 0 || known) {
        if (!known) unexplained.push(key);
        else if (known.operators) {
          for (const [caller, token] of Object.entries(callers)) {
            const res = await send(token);
            asked++;
            const code = res.statusCode === 403 ? (res.json() as { error: { code: string } }).error.code : String(res.statusCode);
            if (code !== 'FORBIDDEN' && !e.path.includes('/notify/')) findings.push(`${key} as ${caller} (operators only) → ${res.statusCode} ${res.body.slice(0, 160)}`);
          }
        }
        continue;
      }
      const before = await audited();
      const refusals: { caller: string; code: string }[] = [];
      for (const [caller, token] of Object.entries(callers)) {
        // A change aimed only at what B's school shares with the caller (their own school's room) is the caller's own business.
        if ([...used].every((r) => r.sharedWith.includes(caller as CallerName))) continue;
        const res = await send(token);
        asked++;
        expect(res.statusCode, `${key} as ${caller}: ${res.body}`).toBeLessThan(500);
        if (res.statusCode < 400) findings.push(`${e.method} ${url} as ${caller} → ${res.statusCode} ${res.body.slice(0, 160)}`);
        else refusals.push({ caller, code: (res.json() as { error: { code: string } }).error.code });
        const sent = decodeURIComponent(url) + JSON.stringify(body ?? null);
        const seen = hiddenFrom(caller, res.statusCode).filter((m) => res.body.includes(m) && !sent.includes(m));
        if (seen.length > 0) findings.push(`${e.method} ${url} as ${caller} → ${res.statusCode} shows ${seen.join(', ')}`);
      }
      if ((await audited()) !== before) findings.push(`${e.method} ${url}: the refused calls wrote to the audit log`);
      // Any other refusal (a bad amount, a wrong password) must be one that whoever may make the
      // change (B's parent or students, an operator) gets too with the same body: else it stood in
      // for a missing ownership check.
      const unproven = refusals.filter((r) => !ownershipRefusal.test(r.code) && !notAmongYours.has(r.code));
      if (unproven.length === 0) continue;
      const referenceCodes: string[] = [];
      for (const token of Object.values(rightful)) {
        const res = await send(token);
        referenceCodes.push(res.statusCode >= 400 ? (res.json() as { error: { code: string } }).error.code : String(res.statusCode));
      }
      for (const r of unproven) if (!referenceCodes.includes(r.code)) findings.push(`${e.method} ${url} as ${r.caller} → ${r.code}, but family B, its schools' card managers and an operator get ${referenceCodes.join(', ')}`);
    }
  }
  expect(unswept).toEqual([]);
  expect(unexplained).toEqual([]);
  expect(findings).toEqual([]);
  expect(asked).toBeGreaterThan(300);
});
