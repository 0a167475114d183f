import { shanghaiDate } from '../../domain/calendar.js';
import { maskIdNumber } from '../../domain/masking.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { cardHistory, cardTransactions, listCards } from '../cards/card-queries.js';
import { allMyBookings } from '../campus/bookings.js';
import { campusRepository } from '../campus/campus.repository.js';
import { getDailyLimit } from '../campus/daily-limit.js';
import { myLoans } from '../campus/library.js';
import { networkOverview } from '../campus/network.js';
import { myRepairs } from '../campus/repairs.js';
import { billsOf } from '../campus/school-bills.js';
import { listApplications } from '../fulfilment/apply-replacement.js';
import { myNoticeReads } from '../notices/read-notices.js';
import { myAcademicRecords } from '../academics/academic-records.js';
import { getAutoTopUp } from '../payments/auto-top-up.js';
import { getBalanceAlert } from '../payments/balance-alerts.js';
import { balanceRefundsOfCard } from '../payments/balance-refund.js';
import { listOrders } from '../payments/list-orders.js';
import { getSpendNotice } from '../payments/spend-notices.js';
import { agreementView, liveAgreement } from '../payments/payment-agreements.js';
import { cardTrips } from '../transit/card-trips.js';
import { verifyOwnPassword } from './change-password.js';
import { listConsents } from './consent.js';
import { loadUser } from './current-user.js';
import { listChildren, listParents } from './parent-binding.js';
import { isCampusStage } from '../../domain/campus-payments.js';

/**
 * 导出我的数据 (domain rules, "What users ask for" 10: open data export; PIPL art. 45, a copy of
 * one's personal information): everything the signed-in student or parent can read about
 * themselves through the API, in one JSON file, after their password (a session alone must not be
 * enough to carry it all away), and not on an initial password (a birth date, 123456). It is
 * gathered through the same functions the API answers with, so it shows what the owner may see
 * and no more; the ID number stays masked as on every screen. At most one every ten minutes (it
 * reads a lot). Audited, without its content.
 *
 * In it: the profile and guardian consents; each card with its status history, statement, trips
 * and balance refunds; card applications; orders; a university student's library loans, network
 * account, repair reports, bookings and bills, and a full-time undergraduate's timetables and
 * grades (课表, 成绩, as the app shows them); a parent's per-child settings, agreement and texts; the
 * notices (消息公告) each has opened.
 */

export const dataExportFormat = 'onecard-personal-data/1' as const;
const pageSize = 200;

/** Every page of a paged read. */
async function allPages<T>(read: (page: number) => Promise<{ items: T[]; total: number }>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const got = await read(page);
    items.push(...got.items);
    if (got.items.length === 0 || items.length >= got.total) return items;
  }
}

async function allTrips(ctx: AppContext, caller: Caller, cardId: string) {
  const trips = [];
  let before: number | null = null;
  do {
    const page = await cardTrips(ctx, caller, cardId, { limit: pageSize, before });
    trips.push(...page.items);
    before = page.nextBefore;
  } while (before !== null);
  return trips;
}

/** A card with its status history, its purse's statement, its trips and its balance refunds (退资). */
async function cardRecord(ctx: AppContext, caller: Caller, card: Awaited<ReturnType<typeof listCards>>[number]) {
  return {
    card,
    history: await cardHistory(ctx, caller, card.id),
    transactions: await allPages((page) => cardTransactions(ctx, caller, card.id, { page, pageSize })),
    trips: await allTrips(ctx, caller, card.id),
    balanceRefunds: await balanceRefundsOfCard(ctx, caller, card.id),
  };
}

/** A university student's campus services: the network account, repair reports, every booking, and the university's bills. */
async function campusServices(ctx: AppContext, caller: Caller) {
  return {
    network: await networkOverview(ctx, caller),
    repairs: await myRepairs(ctx, caller),
    bookings: await allMyBookings(ctx, caller),
    bills: (await billsOf(ctx, caller, undefined)).items,
  };
}

async function studentProfile(ctx: AppContext, caller: Caller) {
  const s = await ctx.db.selectFrom('students as s').innerJoin('schools as sc', 'sc.id', 's.school_id').leftJoin('classes as c', 'c.id', 's.class_id')
    .select(['s.name', 's.education_id', 's.gender', 's.birth_date', 's.id_number', 's.student_no', 's.status', 's.created_at', 'sc.name as school_name', 'sc.stage', 'c.grade', 'c.class_no'])
    .where('s.id', '=', caller.subjectId).executeTakeFirstOrThrow();
  return {
    name: s.name, educationId: s.education_id, gender: s.gender, birthDate: s.birth_date, idNumberMasked: maskIdNumber(s.id_number), studentNo: s.student_no, status: s.status,
    school: s.school_name, stage: s.stage, grade: s.grade, classNo: s.class_no, registeredAt: s.created_at.toISOString(),
    // The parents' numbers are theirs: masked, as the parents page shows them.
    parents: (await listParents(ctx, caller, caller.subjectId)).map((p) => ({ phoneMasked: p.phone, relation: p.relation, boundAt: p.boundAt })),
  };
}

async function academicPart(ctx: AppContext, caller: Caller) {
  const academic = await myAcademicRecords(ctx, caller);
  return academic ? { academic } : {};
}

async function studentExport(ctx: AppContext, caller: Caller) {
  const cards = await listCards(ctx, caller, undefined);
  const campusCard = cards.some((c) => c.product === 'campus_card');
  const { school_id: schoolId } = await ctx.db.selectFrom('students').select('school_id').where('id', '=', caller.subjectId).executeTakeFirstOrThrow();
  return {
    profile: await studentProfile(ctx, caller),
    consents: await listConsents(ctx, caller, caller.subjectId),
    cards: await Promise.all(cards.map((card) => cardRecord(ctx, caller, card))),
    applications: await listApplications(ctx, caller, {}),
    orders: await allPages((page) => listOrders(ctx, caller, { page, pageSize })),
    ...(campusCard ? { library: await myLoans(ctx, caller) } : {}),
    ...((await campusRepository.isCampusSchool(ctx.db, schoolId)) ? { campus: await campusServices(ctx, caller) } : {}),
    // 课表 and 成绩 only when the student may read them in the app (a full-time undergraduate).
    ...await academicPart(ctx, caller),
    noticesRead: await myNoticeReads(ctx, caller),
  };
}

async function parentExport(ctx: AppContext, caller: Caller) {
  const parent = await ctx.db.selectFrom('parents').select(['phone', 'display_name', 'created_at']).where('id', '=', caller.subjectId).executeTakeFirstOrThrow();
  const children = await listChildren(ctx, caller);
  // Texts to this number since the account exists, but not sign-in codes (one may still be valid).
  const texts = await ctx.db.selectFrom('sms_outbox').select(['body', 'created_at']).where('phone', '=', parent.phone).where('created_at', '>=', parent.created_at)
    .where('body', 'not like', '%验证码%').orderBy('created_at').execute();
  return {
    profile: { phone: parent.phone, displayName: parent.display_name, registeredAt: parent.created_at.toISOString() },
    children: await Promise.all(children.map(async (child) => ({
      child,
      settings: {
        balanceAlert: await getBalanceAlert(ctx, caller, child.studentId),
        spendNotice: await getSpendNotice(ctx, caller, child.studentId),
        autoTopUp: await getAutoTopUp(ctx, caller, child.studentId),
        ...(isCampusStage(child.stage) ? { dailyLimit: await getDailyLimit(ctx, caller, child.studentId) } : {}),
      },
      consents: await listConsents(ctx, caller, child.studentId),
      cards: await Promise.all((await listCards(ctx, caller, child.studentId)).map((card) => cardRecord(ctx, caller, card))),
    }))),
    applications: await listApplications(ctx, caller, {}),
    orders: await allPages((page) => listOrders(ctx, caller, { page, pageSize })),
    paymentAgreement: await liveAgreement(ctx.db, caller.subjectId).then((row) => (row ? agreementView(row) : null)),
    textMessages: texts.map((t) => ({ at: t.created_at.toISOString(), body: t.body })),
    noticesRead: await myNoticeReads(ctx, caller),
  };
}

const exportGapMs = 10 * 60_000;

async function assertNotExportedLately(ctx: AppContext, subjectId: string): Promise<void> {
  const last = await ctx.db.selectFrom('audit_log').select('at').where('entity_type', '=', 'account').where('entity_id', '=', subjectId)
    .where('action', '=', 'account.data_exported').where('at', '>', new Date(ctx.clock.now().getTime() - exportGapMs)).executeTakeFirst();
  if (last) throw fail('DATA_EXPORT_TOO_SOON', { lastAt: last.at.toISOString() });
}

export interface DataExport {
  format: typeof dataExportFormat;
  generatedAt: string;
  role: 'student' | 'parent';
  [part: string]: unknown;
}

/** The file: its name, and the document. */
export async function exportMyData(ctx: AppContext, caller: Caller, password: string, source: string, requestId: string): Promise<{ fileName: string; document: DataExport }> {
  const role = caller.role;
  if (role !== 'student' && role !== 'parent') throw fail('FORBIDDEN');
  await verifyOwnPassword(ctx, caller, password, source);
  if ((await loadUser(ctx.db, role, caller.subjectId, caller.loginKind)).mustChangePassword) throw fail('DATA_EXPORT_PASSWORD_INITIAL');
  await assertNotExportedLately(ctx, caller.subjectId);
  const content = caller.role === 'student' ? await studentExport(ctx, caller) : await parentExport(ctx, caller);
  const now = ctx.clock.now();
  await recordAudit(ctx.db, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'account.data_exported', entityType: 'account', entityId: caller.subjectId, after: { format: dataExportFormat }, requestId });
  return {
    fileName: `onecard-${role}-data-${shanghaiDate(now)}.json`,
    document: { format: dataExportFormat, generatedAt: now.toISOString(), role, ...content },
  };
}
