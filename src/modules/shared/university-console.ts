import type { FastifyRequest } from 'fastify';
import { isCampusStage } from '../../domain/campus-payments.js';
import type { AppContext } from '../../platform/context.js';
import { fail, registerErrors } from '../../platform/errors.js';

registerErrors({
  CONSOLE_UNIVERSITY_ONLY: {
    status: 403,
    zh: '此功能只适用于高校和职业院校（校园服务、学费、新生临时卡），您所在的学校不使用',
    en: 'This is for universities and vocational colleges only (campus services, tuition, temporary cards); your school does not use it',
  },
});

/**
 * The console API of a university's own services: campus services (报修, 宿舍, 电费, 食堂, 图书,
 * 学费), 新生临时卡 and 课表与成绩 (the 教务系统's uploads). A K-12 school's card manager is refused them outright, with
 * CONSOLE_UNIVERSITY_ONLY, rather than answered with an empty list or a form that cannot work.
 * test/api/university-console.test.ts names each of these routes (not read from this list), so a
 * route left out of the guard fails there; a new route under these paths must be named there too.
 */
const universityOnlyPrefixes = ['/api/v1/admin/campus/', '/api/v1/admin/temporary-cards', '/api/v1/admin/academic/'];

export const isUniversityOnlyRoute = (url: string | undefined) => url !== undefined && universityOnlyPrefixes.some((prefix) => url.startsWith(prefix));

/** An onRequest hook for the API tree (before the body is read): operators pass; a school's card manager passes at a university or vocational college only. */
export function universityConsoleOnly(ctx: AppContext) {
  return async (request: FastifyRequest) => {
    const caller = request.caller;
    if (!caller || caller.role !== 'school_admin' || !isUniversityOnlyRoute(request.routeOptions.url)) return;
    const school = caller.schoolId ? await ctx.db.selectFrom('schools').select('stage').where('id', '=', caller.schoolId).executeTakeFirst() : undefined;
    if (!isCampusStage(school?.stage)) throw fail('CONSOLE_UNIVERSITY_ONLY');
  };
}
