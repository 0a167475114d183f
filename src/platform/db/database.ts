import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, Migrator, PostgresDialect, type LogConfig, type Migration, type Transaction } from 'kysely';
import pg from 'pg';
import * as foundation from './migrations/0001-foundation.js';
import * as identity from './migrations/0002-identity.js';
import * as roster from './migrations/0003-roster.js';
import * as ledger from './migrations/0004-ledger.js';
import * as calendar from './migrations/0005-calendar.js';
import * as payments from './migrations/0006-payments.js';
import * as terminals from './migrations/0007-terminals.js';
import * as cards from './migrations/0008-cards.js';
import * as fulfilment from './migrations/0009-fulfilment.js';
import * as ecards from './migrations/0010-ecards.js';
import * as transit from './migrations/0011-transit.js';
import * as cardServices from './migrations/0012-card-services.js';
import * as ledgerBulkCheck from './migrations/0013-ledger-bulk-check.js';
import * as ledgerOrderedBalances from './migrations/0014-ledger-ordered-balances.js';
import * as fulfilmentReturns from './migrations/0015-fulfilment-returns.js';
import * as transitFareColumns from './migrations/0016-transit-fare-columns.js';
import * as ledgerTapEntries from './migrations/0017-ledger-tap-entries.js';
import * as tapEntriesMovePurses from './migrations/0018-tap-entries-move-purses.js';
import * as sandboxClosedTrades from './migrations/0019-sandbox-closed-trades.js';
import * as redLetterInvoices from './migrations/0020-red-letter-invoices.js';
import * as wechatRefundNotifications from './migrations/0021-wechat-refund-notifications.js';
import * as campusPayments from './migrations/0022-campus-payments.js';
import * as retirePlainRequestHashes from './migrations/0023-retire-plain-request-hashes.js';
import * as campusNetwork from './migrations/0024-campus-network.js';
import * as canteenRefunds from './migrations/0025-canteen-refunds.js';
import * as networkTopUpOrders from './migrations/0026-network-top-up-orders.js';
import * as meterFailures from './migrations/0027-meter-failures.js';
import * as sportsVenues from './migrations/0028-sports-venues.js';
import * as colleges from './migrations/0029-colleges.js';
import * as deliveredMeter from './migrations/0030-delivered-meter.js';
import * as balanceAlerts from './migrations/0031-balance-alerts.js';
import * as cardReplacementIndex from './migrations/0032-card-replacement-index.js';
import * as campusDailyLimits from './migrations/0033-campus-daily-limits.js';
import * as libraryLoans from './migrations/0034-library-loans.js';
import * as spendNotices from './migrations/0035-spend-notices.js';
import * as expiryReminders from './migrations/0036-expiry-reminders.js';
import * as balanceAlertsBinding from './migrations/0037-balance-alerts-binding.js';
import * as expiryRemindersGrace from './migrations/0038-expiry-reminders-grace.js';
import * as sandboxAgreements from './migrations/0039-sandbox-agreements.js';
import * as autoTopUp from './migrations/0040-auto-top-up.js';
import * as lookupIndexes from './migrations/0041-lookup-indexes.js';
import * as agreementNotifications from './migrations/0042-agreement-notifications.js';
import * as autoTopUpMonthlyCap from './migrations/0043-auto-top-up-monthly-cap.js';
import * as agreementUnsignRequested from './migrations/0044-agreement-unsign-requested.js';
import * as newCardApplications from './migrations/0045-new-card-applications.js';
import * as notices from './migrations/0046-notices.js';
import * as schoolBills from './migrations/0047-school-bills.js';
import * as schoolServicePoint from './migrations/0048-school-service-point.js';
import * as wechatPapay from './migrations/0049-wechat-papay.js';
import * as schoolBillTexts from './migrations/0050-school-bill-texts.js';
import * as majors from './migrations/0051-majors.js';
import * as agreementLateSigning from './migrations/0054-agreement-late-signing.js';
import * as academicRecords from './migrations/0053-academic-records.js';
import * as withdrawnCardActions from './migrations/0055-withdrawn-card-actions.js';
import * as refundBilling from './migrations/0056-refund-billing.js';
import * as academicReview from './migrations/0057-academic-review.js';
import * as academicCollegeUploads from './migrations/0058-academic-college-uploads.js';
import * as personalNotices from './migrations/0059-personal-notices.js';
import * as abnormalRefunds from './migrations/0063-abnormal-refunds.js';
import * as fulfilmentTextsBilingual from './migrations/0066-fulfilment-texts-bilingual.js';
import * as abnormalRefundPending from './migrations/0067-abnormal-refund-pending.js';
import * as firstCardStickerNo from './migrations/0068-first-card-sticker-no.js';
import { PGliteDialect } from './pglite-dialect.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database handle or an open transaction: repositories accept both. */
export type DbOrTx = Kysely<Database>;

export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-identity': identity,
  '0003-roster': roster,
  '0004-ledger': ledger,
  '0005-calendar': calendar,
  '0006-payments': payments,
  '0007-terminals': terminals,
  '0008-cards': cards,
  '0009-fulfilment': fulfilment,
  '0010-ecards': ecards,
  '0011-transit': transit,
  '0012-card-services': cardServices,
  '0013-ledger-bulk-check': ledgerBulkCheck,
  '0014-ledger-ordered-balances': ledgerOrderedBalances,
  '0015-fulfilment-returns': fulfilmentReturns,
  '0016-transit-fare-columns': transitFareColumns,
  '0017-ledger-tap-entries': ledgerTapEntries,
  '0018-tap-entries-move-purses': tapEntriesMovePurses,
  '0019-sandbox-closed-trades': sandboxClosedTrades,
  '0020-red-letter-invoices': redLetterInvoices,
  '0021-wechat-refund-notifications': wechatRefundNotifications,
  '0022-campus-payments': campusPayments,
  '0023-retire-plain-request-hashes': retirePlainRequestHashes,
  '0024-campus-network': campusNetwork,
  '0025-canteen-refunds': canteenRefunds,
  '0026-network-top-up-orders': networkTopUpOrders,
  '0027-meter-failures': meterFailures,
  '0028-sports-venues': sportsVenues,
  '0029-colleges': colleges,
  '0030-delivered-meter': deliveredMeter,
  '0031-balance-alerts': balanceAlerts,
  '0032-card-replacement-index': cardReplacementIndex,
  '0033-campus-daily-limits': campusDailyLimits,
  '0034-library-loans': libraryLoans,
  '0035-spend-notices': spendNotices,
  '0036-expiry-reminders': expiryReminders,
  '0037-balance-alerts-binding': balanceAlertsBinding,
  '0038-expiry-reminders-grace': expiryRemindersGrace,
  '0039-sandbox-agreements': sandboxAgreements,
  '0040-auto-top-up': autoTopUp,
  '0041-lookup-indexes': lookupIndexes,
  '0042-agreement-notifications': agreementNotifications,
  '0043-auto-top-up-monthly-cap': autoTopUpMonthlyCap,
  '0044-agreement-unsign-requested': agreementUnsignRequested,
  '0045-new-card-applications': newCardApplications,
  '0046-notices': notices,
  '0047-school-bills': schoolBills,
  '0048-school-service-point': schoolServicePoint,
  '0049-wechat-papay': wechatPapay,
  '0050-school-bill-texts': schoolBillTexts,
  '0051-majors': majors,
  '0053-academic-records': academicRecords,
  '0054-agreement-late-signing': agreementLateSigning,
  '0055-withdrawn-card-actions': withdrawnCardActions,
  '0056-refund-billing': refundBilling,
  '0057-academic-review': academicReview,
  '0058-academic-college-uploads': academicCollegeUploads,
  '0059-personal-notices': personalNotices,
  '0063-abnormal-refunds': abnormalRefunds,
  '0066-fulfilment-texts-bilingual': fulfilmentTextsBilingual,
  '0067-abnormal-refund-pending': abnormalRefundPending,
  '0068-first-card-sticker-no': firstCardStickerNo,
};

/**
 * The same JS types from both drivers: bigint as number (amounts in fen stay far below 2^53,
 * and we refuse the value rather than lose precision), date as 'YYYY-MM-DD' text (no time zone
 * shift), numeric as text.
 */
function parseInt8(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${value} exceeds the safe integer range`);
  return n;
}
const asText = (value: string) => value;

export interface DatabaseHandle {
  db: Db;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

/** `log`: Kysely's query log, for a test or bench that counts a request's round trips (begin and commit included). */
export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob; log?: LogConfig } = {}): Promise<{
  handle: DatabaseHandle;
  client: PGlite;
}> {
  const client = await PGlite.create(options.dataDir, {
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    parsers: { [types.INT8]: parseInt8, [types.DATE]: asText, [types.NUMERIC]: asText },
  });
  await client.exec(`set time zone 'UTC'`);
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client), ...(options.log ? { log: options.log } : {}) });
  return { handle: { db, kind: 'pglite', close: () => db.destroy() }, client };
}

export function openPostgres(connectionString: string, max = 10, options: { log?: LogConfig } = {}): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max,
    types: {
      getTypeParser: ((oid: number, format?: string) => {
        if (oid === 20) return parseInt8;
        if (oid === 1082 || oid === 1700) return asText;
        return pg.types.getTypeParser(oid, format as 'text');
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle connection the server drops (a restart, a failover) must not crash the process:
  // the pool discards it and opens a new one on the next query.
  pool.on('error', (error) => console.warn(`postgres pool: idle connection lost (${error.message})`));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), ...(options.log ? { log: options.log } : {}) });
  return { db, kind: 'postgres', close: () => db.destroy() };
}

export async function openDatabase(config: { databaseUrl?: string | undefined; dataDir: string }): Promise<DatabaseHandle> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl);
  const { handle } = await openPglite({ dataDir: `${config.dataDir}/pglite` });
  return handle;
}

export async function migrateToLatest(db: Db, all: Record<string, Migration> = migrations): Promise<string[]> {
  // Work done in parallel lands out of number order (0055 before 0054); each migration stands on
  // its own, so a database that ran a later one still takes an earlier one that arrives after it.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => all }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Runs `work` in a transaction: the caller's, when `db` is one already (so a use case can run
 * inside the idempotency transaction of its request), else a new one.
 */
export function inTransaction<T>(db: DbOrTx, work: (tx: Tx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Tx) : db.transaction().execute(work);
}
