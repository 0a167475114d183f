import { assertSchoolAccess } from '../../platform/access.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { offsetOf, type PageQuery } from '../shared/pagination.js';
import { rosterRepository as repo } from './roster.repository.js';
import type { RosterImport, RosterImportSummary, RowProblemView } from './roster.schemas.js';
import { REPORT_ROWS } from './import-roster.js';
import './roster.errors.js';

/**
 * An import runs in the process that accepted it. One still "running" this long after it
 * started lost that process (a restart or crash): even a 30 MB file takes a few minutes.
 */
export const INTERRUPTED_AFTER_MS = 30 * 60_000;

type ImportRecord = NonNullable<Awaited<ReturnType<typeof repo.findImport>>>;

function statusOf(record: Omit<ImportRecord, 'report' | 'warnings'>, now: Date): { status: RosterImportSummary['status']; errorCode: string | null } {
  const interrupted = record.status === 'running' && now.getTime() - record.created_at.getTime() > INTERRUPTED_AFTER_MS;
  return interrupted ? { status: 'failed', errorCode: 'ROSTER_IMPORT_INTERRUPTED' } : { status: record.status, errorCode: record.error };
}

function errorOf(code: string | null): RosterImportSummary['error'] {
  if (!code) return null;
  const error = fail(code);
  return { code, message: error.messageZh, messageEn: error.messageEn };
}

function toSummary(record: Omit<ImportRecord, 'report' | 'warnings'>, now: Date): RosterImportSummary {
  const { status, errorCode } = statusOf(record, now);
  return {
    id: record.id,
    schoolId: record.school_id,
    fileName: record.file_name,
    status,
    totalRows: record.total_rows,
    processedRows: record.processed_rows,
    created: record.created_count,
    updated: record.updated_count,
    rejected: record.rejected_count,
    warned: record.warning_count,
    error: errorOf(errorCode),
    createdAt: record.created_at.toISOString(),
    finishedAt: record.finished_at?.toISOString() ?? null,
  };
}

export async function getRosterImport(ctx: AppContext, caller: Caller, importId: string): Promise<RosterImport> {
  const record = await repo.findImport(ctx.db, importId);
  if (!record) throw fail('NOT_FOUND', { entity: 'roster_import' });
  assertSchoolAccess(caller, record.school_id);
  const report = record.report as RowProblemView[];
  const reportedRows = new Set(report.map((p) => p.row)).size;
  return { ...toSummary(record, ctx.clock.now()), report, reportTruncated: record.rejected_count > reportedRows && reportedRows >= REPORT_ROWS, warnings: record.warnings as RowProblemView[] };
}

export async function listRosterImports(ctx: AppContext, caller: Caller, schoolId: string, page: PageQuery) {
  assertSchoolAccess(caller, schoolId);
  const { rows, total } = await repo.listImports(ctx.db, schoolId, { limit: page.pageSize, offset: offsetOf(page) });
  const now = ctx.clock.now();
  return { items: rows.map((r) => toSummary(r, now)), total, page: page.page, pageSize: page.pageSize };
}
