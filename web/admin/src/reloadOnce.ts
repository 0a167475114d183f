/**
 * A console tab opened before a deploy asks for page files that the deploy removed ("Failed to
 * fetch dynamically imported module"): its index.html names the old hashed chunks. Reloading
 * fetches the new index.html and with it the new chunks. Vite documents the same recovery on its
 * `vite:preloadError` event; doing it where the page is imported also covers imports Vite does
 * not wrap, and lets the caller fall back to an error when reloading did not help.
 */

export interface ReloadGuard {
  /** Where the time of the last reload is kept: it survives the reload, not the tab. */
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  reload(): void;
  now(): number;
}

const reloadKey = 'onecard.admin.reloadedForPageAt';
/** A failure this soon after our own reload is not a stale tab: showing the error beats a reload loop. */
export const reloadWindowMs = 30_000;

function browserGuard(): ReloadGuard {
  return { storage: window.sessionStorage, reload: () => window.location.reload(), now: () => Date.now() };
}

/** The guard when no reload happened within the window (and notes that one happens now), else undefined. */
function claimReload(guard: () => ReloadGuard): ReloadGuard | undefined {
  try {
    const g = guard();
    const last = Number(g.storage.getItem(reloadKey) ?? 0);
    if (g.now() - last < reloadWindowMs) return undefined;
    g.storage.setItem(reloadKey, String(g.now()));
    return g;
  } catch {
    return undefined; // storage refused (privacy settings): without the guard a reload could loop
  }
}

/**
 * Runs `load` (a page's dynamic import). If it fails and the page was not just reloaded for
 * this, reloads and never settles, so the spinner stays until the new page replaces it;
 * otherwise the failure goes on to the caller.
 */
export function importOrReload<T>(load: () => Promise<T>, guard: () => ReloadGuard = browserGuard): Promise<T> {
  return load().catch((error: unknown) => {
    const claimed = claimReload(guard);
    if (!claimed) throw error;
    claimed.reload();
    return new Promise<T>(() => {});
  });
}
