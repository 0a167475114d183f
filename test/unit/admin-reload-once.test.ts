import { describe, expect, it, vi } from 'vitest';
import { importOrReload, reloadWindowMs, type ReloadGuard } from '../../web/admin/src/reloadOnce.js';

/** One browser tab: session storage that survives its reloads, a reload spy, a clock the test moves. */
function tab(startMs = 1_000_000) {
  const stored = new Map<string, string>();
  const state = { nowMs: startMs };
  const guard: ReloadGuard = {
    storage: { getItem: (key) => stored.get(key) ?? null, setItem: (key, value) => void stored.set(key, value) },
    reload: vi.fn(),
    now: () => state.nowMs,
  };
  return { guard, state, load: (fn: () => Promise<unknown>) => importOrReload(fn, () => guard) };
}

const staleChunk = () => Promise.reject(new TypeError('Failed to fetch dynamically imported module: /admin/assets/StaffPage-old.js'));

/** Settled or not once every queued callback has run (a macrotask runs after all microtasks). */
async function outcome(promise: Promise<unknown>): Promise<'resolved' | 'rejected' | 'pending'> {
  const settled = promise.then(() => 'resolved' as const, () => 'rejected' as const);
  const pending = new Promise<'pending'>((resolve) => setImmediate(() => resolve('pending')));
  return Promise.race([settled, pending]);
}

describe('admin pages: a failed page import reloads the tab once', () => {
  it('passes a loaded page through without reloading', async () => {
    const t = tab();
    await expect(t.load(() => Promise.resolve({ StaffPage: 'page' }))).resolves.toEqual({ StaffPage: 'page' });
    expect(t.guard.reload).not.toHaveBeenCalled();
  });

  it('reloads on the first failure and keeps the page loading until the reload replaces it', async () => {
    const t = tab();
    expect(await outcome(t.load(staleChunk))).toBe('pending');
    expect(t.guard.reload).toHaveBeenCalledTimes(1);
  });

  it('hands the error on when the import fails again soon after that reload, so no reload loop', async () => {
    const t = tab();
    await outcome(t.load(staleChunk));
    t.state.nowMs += reloadWindowMs - 1;
    await expect(t.load(staleChunk)).rejects.toThrow('Failed to fetch dynamically imported module');
    expect(t.guard.reload).toHaveBeenCalledTimes(1);
  });

  it('reloads again for a later deploy, once the window has passed', async () => {
    const t = tab();
    await outcome(t.load(staleChunk));
    t.state.nowMs += reloadWindowMs;
    expect(await outcome(t.load(staleChunk))).toBe('pending');
    expect(t.guard.reload).toHaveBeenCalledTimes(2);
  });

  it('does not reload when session storage refuses (nothing would stop a loop)', async () => {
    const t = tab();
    t.guard.storage.setItem = () => {
      throw new DOMException('denied', 'SecurityError');
    };
    await expect(t.load(staleChunk)).rejects.toThrow(TypeError);
    expect(t.guard.reload).not.toHaveBeenCalled();
  });
});
