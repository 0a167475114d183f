import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { requireCaller, type Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { idempotentOperation } from '../../platform/idempotency.js';
import { bearer, errorResponses, studentParams } from './http.js';

type App = Parameters<FastifyPluginAsyncZod>[0];

interface ChildSetting<View extends z.ZodType, Body extends z.ZodType> {
  /** The path's last part: `/me/children/:studentId/<name>`. */
  name: string;
  tag: string;
  view: View;
  body: Body;
  summaries: { get: string; put: string; delete: string };
  get: (ctx: AppContext, caller: Caller, studentId: string) => Promise<z.infer<View>>;
  set: (ctx: AppContext, caller: Caller, studentId: string, body: z.infer<Body>, requestId: string) => Promise<z.infer<View>>;
  remove: (ctx: AppContext, caller: Caller, studentId: string, requestId: string) => Promise<z.infer<View>>;
}

/**
 * A parent's setting for one child (余额提醒, 消费提醒, 每日消费限额): read it, set it and turn it
 * off, the changes idempotent by Idempotency-Key.
 */
export function childSettingRoutes<View extends z.ZodType, Body extends z.ZodType>(ctx: AppContext, app: App, setting: ChildSetting<View, Body>): void {
  const path = `/me/children/:studentId/${setting.name}`;
  const common = { tags: [setting.tag], security: bearer, params: studentParams };
  // Widened: the type provider cannot resolve a reply type from a generic schema (the schema still validates it).
  const response = { 200: setting.view as z.ZodType, ...errorResponses };
  app.get(path, { schema: { ...common, summary: setting.summaries.get, response } }, async (request) => setting.get(ctx, requireCaller(request, 'parent'), request.params.studentId));
  app.put(path, { schema: { ...common, summary: setting.summaries.put, body: setting.body, response } }, async (request, reply) => {
    const caller = requireCaller(request, 'parent');
    return idempotentOperation(ctx, request, reply, 200, (c) => setting.set(c, caller, request.params.studentId, request.body as z.infer<Body>, request.id));
  });
  app.delete(path, { schema: { ...common, summary: setting.summaries.delete, response } }, async (request, reply) => {
    const caller = requireCaller(request, 'parent');
    return idempotentOperation(ctx, request, reply, 200, (c) => setting.remove(c, caller, request.params.studentId, request.id));
  });
}
