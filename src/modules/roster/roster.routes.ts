import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { shanghaiDate } from '../../domain/calendar.js';
import { assertSchoolAccess } from '../../platform/access.js';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';
import { runIdempotent } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { pageQuerySchema, pageSchema } from '../shared/pagination.js';
import { createRosterImport, runRosterImport, type RosterImportJob } from './import-roster.js';
import { parseRoster } from './parse-roster.js';
import { rosterKindOf } from './row-problems.js';
import { getRosterImport, listRosterImports } from './roster-import-status.js';
import './roster.errors.js';
import { schoolForImport } from './roster-schools.js';
import {
  MAX_ROSTER_BYTES, rosterImportSchema, rosterImportSummarySchema, startRosterImportQuerySchema, startRosterImportResponseSchema,
} from './roster.schemas.js';
import { acceptCsvUploads, uploadedBytes } from '../shared/uploaded-file.js';

const schoolParams = z.object({ schoolId: z.uuid() });
const importParams = z.object({ importId: z.uuid() });

/** Browsers send only ASCII in headers, so a Chinese file name comes URL-encoded. */
function fileNameOf(request: FastifyRequest, fromQuery: string | undefined): string {
  if (fromQuery) return fromQuery;
  const header = request.headers['x-file-name'];
  if (typeof header !== 'string' || header === '') return 'roster.csv';
  try {
    return decodeURIComponent(header).slice(0, 200);
  } catch {
    throw fail('VALIDATION_FAILED', { header: 'x-file-name', reason: 'not URL-encoded' });
  }
}

/** Roster imports: upload a CSV, watch its progress, read its per-row report. */
export function rosterRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    acceptCsvUploads(app, MAX_ROSTER_BYTES);

    // Imports run after the 202; closing the server waits for them rather than cutting them off mid-chunk.
    const running = new Set<Promise<unknown>>();
    app.addHook('onClose', async () => {
      await Promise.allSettled(running);
    });
    const runInBackground = (job: RosterImportJob) => {
      const work = runRosterImport(ctx, job).catch((error: unknown) => ctx.logger.error({ err: error, importId: job.id }, 'roster import failed'));
      running.add(work);
      void work.finally(() => running.delete(work));
    };

    app.post('/admin/schools/:schoolId/roster-imports', {
      schema: {
        tags: ['admin'],
        summary: 'Import a roster CSV (UTF-8 or GBK, body as text/csv or application/octet-stream); 202, then poll the import',
        security: bearer,
        params: schoolParams,
        querystring: startRosterImportQuerySchema,
        consumes: ['text/csv', 'application/octet-stream'],
        // Documents the raw body in OpenAPI; the content-type parser above is what reads it.
        body: z.any().describe('the CSV file, as bytes (UTF-8 with or without BOM, or GBK)'),
        response: { 202: startRosterImportResponseSchema, ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      const { schoolId } = request.params;
      assertSchoolAccess(caller, schoolId);
      const school = await schoolForImport(ctx.db, { id: schoolId });
      const fileName = fileNameOf(request, request.query.fileName);
      const upload = uploadedBytes(request);
      // Parsed before the transaction: a whole-file fault is a 4xx, and the CPU work holds no connection.
      const parsed = parseRoster(upload, shanghaiDate(ctx.clock.now()), rosterKindOf(school.stage));
      let started: RosterImportJob | undefined;
      const body = await runIdempotent(ctx, request, reply, async (tx) => {
        started = await createRosterImport(tx, ctx.clock.now(), {
          school, fileName, parsed, actor: { role: caller.role, id: caller.subjectId }, requestId: request.id,
        });
        return { statusCode: 202, body: { id: started.id } };
      });
      // A replayed request (same Idempotency-Key) answers with the first import's id and starts nothing.
      if (started) runInBackground(started);
      return body;
    });

    app.get('/admin/roster-imports/:importId', {
      schema: { tags: ['admin'], summary: 'A roster import: progress, counts and the per-row report', security: bearer, params: importParams, response: { 200: rosterImportSchema, ...errorResponses } },
    }, async (request) => getRosterImport(ctx, requireCaller(request, 'operator', 'school_admin'), request.params.importId));

    app.get('/admin/schools/:schoolId/roster-imports', {
      schema: { tags: ['admin'], summary: "A school's roster imports, newest first", security: bearer, params: schoolParams, querystring: pageQuerySchema, response: { 200: pageSchema(rosterImportSummarySchema), ...errorResponses } },
    }, async (request) => listRosterImports(ctx, requireCaller(request, 'operator', 'school_admin'), request.params.schoolId, request.query));
  };
}
