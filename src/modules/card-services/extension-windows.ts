import { shanghaiDate } from '../../domain/calendar.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/auth.js';
import type { AppContext } from '../../platform/context.js';
import { inTransaction } from '../../platform/db/database.js';
import { fail } from '../../platform/errors.js';
import './card-services.errors.js';
import { cardServicesRepository as repo, type ExtensionWindowRow } from './card-services.repository.js';
import type { ExtensionWindowDto } from './card-services.schemas.js';
import { isInWindow } from './extension-rules.js';

export function windowView(row: ExtensionWindowRow, today: string): ExtensionWindowDto {
  const window = { year: row.year, startsOn: row.starts_on, endsOn: row.ends_on };
  return { ...window, open: isInWindow(window, today), updatedAt: row.updated_at.toISOString() };
}

/** Every year's K-12 extension window, newest first, with today's date (Asia/Shanghai). */
export async function listExtensionWindows(ctx: AppContext): Promise<{ items: ExtensionWindowDto[]; today: string }> {
  const today = shanghaiDate(ctx.clock.now());
  return { items: (await repo.listWindows(ctx.db)).map((w) => windowView(w, today)), today };
}

/** An operator sets (or moves) a year's extension window; the start must fall in that year. */
export async function setExtensionWindow(ctx: AppContext, caller: Caller, year: number, input: { startsOn: string; endsOn: string }, requestId: string): Promise<ExtensionWindowDto> {
  if (caller.role !== 'operator') throw fail('FORBIDDEN', { reason: 'only operators set the extension window' });
  if (input.endsOn < input.startsOn || Number(input.startsOn.slice(0, 4)) !== year) throw fail('CARD_EXTENSION_WINDOW_INVALID', { year, ...input });
  return inTransaction(ctx.db, async (tx) => {
    const before = await repo.findWindow(tx, year);
    const now = ctx.clock.now();
    await repo.upsertWindow(tx, { year, starts_on: input.startsOn, ends_on: input.endsOn, updated_by: caller.subjectId, updated_at: now });
    await recordAudit(tx, ctx.clock, {
      actor: { role: caller.role, id: caller.subjectId },
      action: 'card_services.extension_window.set',
      entityType: 'card_extension_window',
      entityId: String(year),
      before: before ? { startsOn: before.starts_on, endsOn: before.ends_on } : null,
      after: input,
      requestId,
    });
    const row = await repo.findWindow(tx, year);
    if (!row) throw fail('NOT_FOUND', { entity: 'card_extension_window', year });
    return windowView(row, shanghaiDate(now));
  });
}
