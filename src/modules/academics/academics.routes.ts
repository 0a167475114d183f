import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCaller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses } from '../shared/http.js';
import { acceptCsvUploads, uploadedBytes } from '../shared/uploaded-file.js';
import type { GradeField, TimetableField } from './academic-rows.js';
import { myGrades, myTimetable } from './academic-records.js';
import {
  academicSchoolQuerySchema, academicScopeQuerySchema, adminTermsSchema, clearResultSchema, gradesSchema, gradesUploadSchema, saveTermSchema, termParams, termSchema, timetableQuerySchema, timetableSchema, timetableUploadSchema, uploadResultSchema,
} from './academics.schemas.js';
import { academicSchoolOf, clearTerm, gradeJsonCells, readAcademicFile, saveTerm, schoolTerms, timetableJsonCells, uploadGrades, uploadTimetable, type UploadCells } from './upload-academic-records.js';

/** 50,000 rows of JSON or CSV: room for long names and GBK's extra bytes. */
const maxUploadBytes = 16 * 1024 * 1024;

/**
 * 课表查询 and 成绩查询 (seed 004): the university's 教务系统 pushes each term's timetable and
 * grades (an integration signed in as a staff account of the school, or an operator; CSV files in
 * the console); a full-time undergraduate reads their own in the app.
 */
export function academicRoutes(ctx: AppContext): FastifyPluginAsyncZod {
  return async (app) => {
    acceptCsvUploads(app, maxUploadBytes);
    const tags = ['academic'];

    app.get('/campus/timetable', {
      schema: { tags, summary: '课表查询: the student’s own timetable of a term (the current one when none is named), with today’s teaching week (full-time undergraduates)', security: bearer, querystring: timetableQuerySchema, response: { 200: timetableSchema, ...errorResponses } },
    }, async (request) => myTimetable(ctx, requireCaller(request, 'student'), request.query.termCode));

    app.get('/campus/grades', {
      schema: { tags, summary: '成绩查询: the student’s own grades per term, with the credit-weighted GPA over the university’s 绩点 (full-time undergraduates)', security: bearer, response: { 200: gradesSchema, ...errorResponses } },
    }, async (request) => myGrades(ctx, requireCaller(request, 'student')));

    app.get('/admin/academic/terms', {
      schema: { tags, summary: 'A university’s terms and what its 教务系统 uploaded for each (operators name the school)', security: bearer, querystring: academicSchoolQuerySchema, response: { 200: adminTermsSchema, ...errorResponses } },
    }, async (request) => schoolTerms(ctx, requireCaller(request, 'operator', 'school_admin'), request.query.schoolId));

    app.put('/admin/academic/terms/:termCode', {
      schema: { tags, summary: 'Register a term (the Monday of teaching week 1, the number of weeks), or correct it', security: bearer, params: termParams, querystring: academicSchoolQuerySchema, body: saveTermSchema, response: { 200: termSchema, ...errorResponses } },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      return idempotentOperation(ctx, request, reply, 200, (c) => saveTerm(c, caller, request.query.schoolId, request.params.termCode, request.body, request.id));
    });

    app.put('/admin/academic/terms/:termCode/timetable', {
      bodyLimit: maxUploadBytes,
      schema: {
        tags, summary: 'Replace the term’s timetable (all students, or one 院系’s with college=): 学号, 课程名, 教师, 地点, 星期, 节次, 周次 per row; all or nothing, every bad row reported; the same content again changes nothing',
        security: bearer, params: termParams, querystring: academicScopeQuerySchema, body: timetableUploadSchema, response: { 200: uploadResultSchema, ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      const schoolId = await academicSchoolOf(ctx, caller, request.query.schoolId);
      const cells = timetableJsonCells(request.body.courses);
      return idempotentOperation(ctx, request, reply, 200, (c) => uploadTimetable(c, caller, schoolId, request.params.termCode, request.query.college ?? null, cells, request.id));
    });

    app.put('/admin/academic/terms/:termCode/grades', {
      bodyLimit: maxUploadBytes,
      schema: {
        tags, summary: 'Replace the term’s grades (all students, or one 院系’s with college=): 学号, 课程, 学分, 成绩 (score or 等级), 绩点 as the university gives it, 考试性质 正常/补考/重修; all or nothing',
        security: bearer, params: termParams, querystring: academicScopeQuerySchema, body: gradesUploadSchema, response: { 200: uploadResultSchema, ...errorResponses },
      },
    }, async (request, reply) => {
      const caller = requireCaller(request, 'operator', 'school_admin');
      const schoolId = await academicSchoolOf(ctx, caller, request.query.schoolId);
      const cells = gradeJsonCells(request.body.grades);
      return idempotentOperation(ctx, request, reply, 200, (c) => uploadGrades(c, caller, schoolId, request.params.termCode, request.query.college ?? null, cells, request.id));
    });

    for (const kind of ['timetable', 'grades'] as const) {
      app.delete(`/admin/academic/terms/:termCode/${kind}`, {
        schema: {
          tags, summary: kind === 'timetable' ? 'Empty the term’s timetable (all students, or one 院系’s with college=), explicitly: an empty upload is refused; audited' : 'Empty the term’s grades (all students, or one 院系’s with college=), explicitly: an empty upload is refused; audited',
          security: bearer, params: termParams, querystring: academicScopeQuerySchema, response: { 200: clearResultSchema, ...errorResponses },
        },
      }, async (request, reply) => {
        const caller = requireCaller(request, 'operator', 'school_admin');
        const schoolId = await academicSchoolOf(ctx, caller, request.query.schoolId);
        return idempotentOperation(ctx, request, reply, 200, (c) => clearTerm(c, caller, schoolId, request.params.termCode, kind, request.query.college ?? null, request.id));
      });

      app.put(`/admin/academic/terms/:termCode/${kind}/file`, {
        schema: {
          tags,
          summary: kind === 'timetable'
            ? 'Replace the term’s timetable (or one 院系’s with college=) from a CSV (学号, 课程, 教师, 地点, 星期, 节次, 周次), UTF-8 or GBK; all or nothing'
            : 'Replace the term’s grades (or one 院系’s with college=) from a CSV (学号, 课程, 学分, 成绩, 绩点, 考试性质), UTF-8 or GBK; all or nothing',
          security: bearer, params: termParams, querystring: academicScopeQuerySchema, consumes: ['text/csv', 'application/octet-stream'],
          body: z.any().describe('the CSV file, as bytes'),
          response: { 200: uploadResultSchema, ...errorResponses },
        },
      }, async (request, reply) => {
        const caller = requireCaller(request, 'operator', 'school_admin');
        // The school first (a K-12 school's file is refused for that), then the file, outside the transaction.
        const schoolId = await academicSchoolOf(ctx, caller, request.query.schoolId);
        const cells = readAcademicFile(kind, uploadedBytes(request));
        return idempotentOperation(ctx, request, reply, 200, (c) => kind === 'timetable'
          ? uploadTimetable(c, caller, schoolId, request.params.termCode, request.query.college ?? null, cells as UploadCells<TimetableField>, request.id)
          : uploadGrades(c, caller, schoolId, request.params.termCode, request.query.college ?? null, cells as UploadCells<GradeField>, request.id));
      });
    }
  };
}
