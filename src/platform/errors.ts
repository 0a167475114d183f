import { DomainError } from '../domain/errors.js';

/**
 * The platform's own error codes with their messages and HTTP status. Domain modules add
 * their codes with `registerErrors`, so this stays the one table that maps a code to a status.
 */
interface ErrorEntry {
  status: number;
  zh: string;
  en: string;
}

const catalogue = new Map<string, ErrorEntry>();

/**
 * Adds codes to the one table. A code means one thing: registering it again with another status
 * or message is a programming error (whichever module loaded last would decide), so it throws.
 */
export function registerErrors(entries: Record<string, ErrorEntry>): void {
  for (const [code, entry] of Object.entries(entries)) {
    const known = catalogue.get(code);
    if (known && (known.status !== entry.status || known.zh !== entry.zh || known.en !== entry.en)) {
      throw new Error(`error code ${code} registered twice with different meanings`);
    }
    catalogue.set(code, entry);
  }
}

registerErrors({
  VALIDATION_FAILED: { status: 400, zh: '请求参数有误', en: 'The request is invalid' },
  MALFORMED_JSON: { status: 400, zh: '请求体不是合法的 JSON', en: 'The request body is not valid JSON' },
  BODY_TOO_LARGE: { status: 413, zh: '请求体过大', en: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持的内容类型', en: 'Unsupported content type' },
  ROUTE_NOT_FOUND: { status: 404, zh: '接口不存在', en: 'No such endpoint' },
  NOT_FOUND: { status: 404, zh: '记录不存在', en: 'Not found' },
  AUTH_REQUIRED: { status: 401, zh: '请先登录', en: 'Please sign in' },
  AUTH_TOKEN_INVALID: { status: 401, zh: '登录凭证无效，请重新登录', en: 'The sign-in token is invalid; please sign in again' },
  AUTH_TOKEN_EXPIRED: { status: 401, zh: '登录已过期，请重新登录', en: 'Your session has expired; please sign in again' },
  AUTH_FAILED: { status: 401, zh: '账号或密码错误', en: 'Wrong account or password' },
  FORBIDDEN: { status: 403, zh: '无权执行此操作', en: 'You are not allowed to do this' },
  ACCESS_DENIED: { status: 403, zh: '无权访问该记录', en: 'You may not access this record' },
  IDEMPOTENCY_KEY_INVALID: { status: 400, zh: '幂等键格式不正确', en: 'The Idempotency-Key header is malformed' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, zh: '该幂等键已用于不同的请求', en: 'This Idempotency-Key was used with a different request' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, zh: '相同请求正在处理中，请稍后重试', en: 'The same request is still being processed; retry later' },
  CONFLICT: { status: 409, zh: '记录已存在', en: 'The record already exists' },
  RATE_LIMITED: { status: 429, zh: '请求过于频繁，请稍后再试', en: 'Too many requests; try again later' },
  DATABASE_BUSY: { status: 503, zh: '有冲突的操作正在同时进行，请稍后重试', en: 'A conflicting change was being made at the same time; retry the request' },
  INTERNAL_ERROR: { status: 500, zh: '服务器内部错误', en: 'Internal server error' },
});

/**
 * Database constraints that stand for a business rule (a unique index as the last word on a
 * race): when one fires, the request gets the rule's code instead of a 500.
 */
const constraintCodes = new Map<string, string>();

export function registerConstraintErrors(entries: Record<string, string>): void {
  for (const [constraint, code] of Object.entries(entries)) constraintCodes.set(constraint, code);
}

/** The catalogued error a database error stands for, or null. */
export function constraintError(error: unknown): DomainError | null {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  const code = typeof constraint === 'string' ? constraintCodes.get(constraint) : undefined;
  return code ? fail(code, { constraint }) : null;
}

/** Business rules a request broke, when their code is not in the table: 422. */
const defaultDomainStatus = 422;

export function statusOf(code: string): number {
  return catalogue.get(code)?.status ?? defaultDomainStatus;
}

/** Throw a catalogued error: `throw fail('NOT_FOUND', { entity: 'school' })`. */
export function fail(code: string, details?: Record<string, unknown>): DomainError {
  const entry = catalogue.get(code);
  if (!entry) throw new Error(`Unknown error code ${code}: add it to the catalogue`);
  return new DomainError(code, entry.zh, entry.en, details);
}

export { DomainError };

/**
 * PostgreSQL's transient concurrency failures: a deadlock it broke (40P01) or a serialization
 * failure (40001). The transaction was rolled back whole, so the same request may be retried.
 */
const retryableSqlStates = new Set(['40P01', '40001']);

export function retryableDatabaseError(error: unknown): DomainError | null {
  const sqlState = (error as { code?: unknown } | null)?.code;
  return typeof sqlState === 'string' && retryableSqlStates.has(sqlState) ? fail('DATABASE_BUSY', { sqlState }) : null;
}

/**
 * PostgreSQL's refusals of a character it cannot store: a NUL (22021) or one its encoding lacks
 * (22P05). Only input carries those into a statement (the server writes none), so the caller is
 * told its input was bad instead of a 500. Dates and numbers out of range are not caught here:
 * the server computes those too, and a computed one is a bug to see as a 500; schemas refuse the
 * ones that come from input.
 */
const badCharacterSqlStates = new Set(['22021', '22P05']);

export function badValueDatabaseError(error: unknown): DomainError | null {
  const sqlState = (error as { code?: unknown } | null)?.code;
  return typeof sqlState === 'string' && badCharacterSqlStates.has(sqlState) ? fail('VALIDATION_FAILED', { reason: 'character' }) : null;
}
