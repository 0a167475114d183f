import { inTransaction } from '../../platform/db/database.js';
import { assertStudentAccess } from '../../platform/access.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { fail } from '../../platform/errors.js';

export const maxPhotoBytes = 500 * 1024;

/** The content type a file's first bytes prove, whatever the request header claims. */
function sniffImage(bytes: Uint8Array): 'image/jpeg' | 'image/png' | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((b, i) => bytes[i] === b)) return 'image/png';
  return undefined;
}

/** A card photo is set by the school (card manager) or an operator, never by the student. */
export async function setStudentPhoto(ctx: AppContext, caller: Caller, studentId: string, bytes: Uint8Array, requestId: string): Promise<void> {
  if (caller.role !== 'operator' && caller.role !== 'school_admin') throw fail('FORBIDDEN');
  await assertStudentAccess(ctx.db, caller, studentId);
  if (bytes.length > maxPhotoBytes) throw fail('PHOTO_TOO_LARGE');
  const contentType = sniffImage(bytes);
  if (!contentType) throw fail('PHOTO_FORMAT');
  await inTransaction(ctx.db, async (tx) => {
    await tx
      .insertInto('student_photos')
      .values({ student_id: studentId, content_type: contentType, bytes, updated_at: ctx.clock.now() })
      .onConflict((oc) => oc.column('student_id').doUpdateSet({ content_type: contentType, bytes, updated_at: ctx.clock.now() }))
      .execute();
    await recordAudit(tx, ctx.clock, { actor: { role: caller.role, id: caller.subjectId }, action: 'photo.set', entityType: 'student', entityId: studentId, after: { contentType, bytes: bytes.length }, requestId });
  });
}

/** The photo, only for those who may see the student. */
export async function getStudentPhoto(ctx: AppContext, caller: Caller, studentId: string) {
  await assertStudentAccess(ctx.db, caller, studentId);
  const photo = await ctx.db.selectFrom('student_photos').select(['content_type', 'bytes']).where('student_id', '=', studentId).executeTakeFirst();
  // No photo yet is an answer, not an error: the apps show their placeholder (204 from the route).
  if (!photo) return null;
  return { contentType: photo.content_type, bytes: Buffer.from(photo.bytes) };
}
