import { z } from 'zod';
import { rosterFields, rowProblemCodes } from './row-problems.js';

/** Roster imports as the API and the admin console see them. */

export const rowProblemSchema = z.object({
  row: z.number().int().describe('row number as Excel shows it; the header is row 1'),
  field: z.enum(rosterFields),
  code: z.enum(rowProblemCodes),
  message: z.string(),
  messageEn: z.string(),
});
export type RowProblemView = z.infer<typeof rowProblemSchema>;

export const rosterImportStatusSchema = z.enum(['running', 'done', 'failed']);

export const rosterImportSummarySchema = z.object({
  id: z.string(),
  schoolId: z.string(),
  fileName: z.string(),
  status: rosterImportStatusSchema,
  totalRows: z.number().int(),
  processedRows: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  rejected: z.number().int().describe('rows rejected, each listed in the report'),
  warned: z.number().int().describe('rows imported with a 培养层次 or 学习形式 stored as not known (empty or unreadable), listed in the warnings'),
  error: z.object({ code: z.string(), message: z.string(), messageEn: z.string() }).nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RosterImportSummary = z.infer<typeof rosterImportSummarySchema>;

export const rosterImportSchema = rosterImportSummarySchema.extend({
  report: z.array(rowProblemSchema).describe('the problems of the first 1,000 rejected rows, in row order'),
  reportTruncated: z.boolean().describe('true when more rows were rejected than the report lists'),
  warnings: z.array(rowProblemSchema).describe('the warnings of the first 1,000 rows imported with a value stored as not known (STUDY_LEVEL_UNKNOWN, FULL_TIME_UNKNOWN)'),
});
export type RosterImport = z.infer<typeof rosterImportSchema>;

export const startRosterImportQuerySchema = z.object({
  fileName: z.string().trim().min(1).max(200).optional().describe('shown in the import history; or send an x-file-name header (URL-encoded)'),
});

export const startRosterImportResponseSchema = z.object({ id: z.string() });

/** The largest roster file: 100,000 rows take about 10 MB. */
export const MAX_ROSTER_BYTES = 30 * 1024 * 1024;
