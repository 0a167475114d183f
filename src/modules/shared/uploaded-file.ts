import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * An uploaded file (a CSV) as the request body. The Idempotency-Key check hashes the body as
 * JSON; `toJSON` gives it the file's digest, so a 30 MB upload is not serialised byte by byte.
 */
export class UploadedFile {
  constructor(readonly bytes: Buffer) {}
  toJSON() {
    return { sha256: createHash('sha256').update(this.bytes).digest('hex') };
  }
}

/** Lets the plugin's routes take a CSV upload as their raw body (text/csv or application/octet-stream). */
export function acceptCsvUploads(app: FastifyInstance, maxBytes: number): void {
  app.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, new UploadedFile(body as Buffer)));
}

/** The uploaded bytes (none when the body was not a file). */
export const uploadedBytes = (request: FastifyRequest): Buffer => (request.body instanceof UploadedFile ? request.body.bytes : Buffer.alloc(0));
