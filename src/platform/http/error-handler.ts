import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError } from '../../domain/errors.js';
import { badValueDatabaseError, constraintError, fail, retryableDatabaseError, statusOf } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; messageEn: string; details?: Record<string, unknown> };
}

function bodyOf(error: DomainError): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.messageZh,
      messageEn: error.messageEn,
      ...(error.details ? { details: error.details } : {}),
    },
  };
}

/** Fastify's own errors (parsing, limits) mapped to our stable codes. */
const fastifyCodes: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
};

/**
 * One error shape for every failure: `{ error: { code, message, messageEn, details } }`.
 * Anything unexpected is logged with its stack and answered with a bare 500: the caller
 * never sees internals.
 */
export function installErrorHandling(
  app: FastifyInstance,
  pageFallback?: (request: FastifyRequest, reply: FastifyReply) => boolean,
): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      return reply.code(statusOf(error.code)).send(bodyOf(error));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = error.validation.map((v) => ({
        path: `${error.validationContext ?? ''}${v.instancePath}`,
        message: v.message,
      }));
      return reply.code(400).send(bodyOf(fail('VALIDATION_FAILED', { issues })));
    }
    const ruleBroken = constraintError(error);
    if (ruleBroken) return reply.code(statusOf(ruleBroken.code)).send(bodyOf(ruleBroken));
    const badValue = badValueDatabaseError(error);
    if (badValue) {
      request.log.warn({ err: error }, 'a value the database refused');
      return reply.code(statusOf(badValue.code)).send(bodyOf(badValue));
    }
    const busy = retryableDatabaseError(error);
    if (busy) {
      request.log.warn({ err: error }, 'transient database conflict');
      return reply.code(statusOf(busy.code)).header('retry-after', '1').send(bodyOf(busy));
    }
    const mapped = error.code ? fastifyCodes[error.code] : undefined;
    if (mapped) return reply.code(statusOf(mapped)).send(bodyOf(fail(mapped)));
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      request.log.info({ err: error }, 'client error');
      return reply.code(error.statusCode).send(bodyOf(fail('VALIDATION_FAILED', { reason: error.code ?? 'BAD_REQUEST' })));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(bodyOf(fail('INTERNAL_ERROR', { requestId: request.id })));
  });

  app.setNotFoundHandler((request, reply) => {
    if (pageFallback?.(request, reply)) return;
    reply.code(404).send(bodyOf(fail('ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] })));
  });
}
