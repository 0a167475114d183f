import { z } from 'zod';

/** The error shape every endpoint answers with on failure, for OpenAPI. */
export const errorResponseSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    messageEn: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

export const errorResponses = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  409: errorResponseSchema,
  422: errorResponseSchema,
} as const;

export const bearer = [{ bearer: [] }];

/** `:studentId` in a path. */
export const studentParams = z.object({ studentId: z.uuid() });
