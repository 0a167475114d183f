import { useSearchParams } from 'react-router';
import { defaultPageSize, maxPageSize, type PageQuery } from '../../shared/paging.js';

function positiveInt(value: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

export type ParamChanges = Record<string, string | number | null | undefined>;

/**
 * Page, page size and the list's filters kept in the URL, so a reload or a shared link shows the
 * same page of the same list. `filterParam` is the search box; `filterNames` are further filters
 * (selects) that also live in the URL. Changing any filter goes back to page 1.
 */
export function usePageParams(filterParam?: string, filterNames: readonly string[] = []) {
  const [params, setParams] = useSearchParams();
  const query: PageQuery = {
    page: positiveInt(params.get('page'), 1),
    pageSize: positiveInt(params.get('pageSize'), defaultPageSize, maxPageSize),
  };
  const filter = filterParam ? (params.get(filterParam) ?? '') : '';
  const filters: Record<string, string> = {};
  for (const name of filterNames) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }

  const update = (changes: ParamChanges) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value === null || value === undefined || value === '') next.delete(name);
        else next.set(name, String(value));
      }
      return next;
    });

  return {
    ...query,
    filter,
    filters,
    setPage: (page: number, pageSize: number) => update({ page: pageSize === query.pageSize ? page : 1, pageSize }),
    setFilter: (value: string) => (filterParam ? update({ [filterParam]: value.trim(), page: null }) : undefined),
    setFilters: (changes: ParamChanges) => update({ ...changes, page: null }),
  };
}
