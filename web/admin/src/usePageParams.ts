import { useSearchParams } from 'react-router';
import { defaultPageSize, maxPageSize, type PageQuery } from '../../shared/paging.js';

function positiveInt(value: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
}

/**
 * Page, page size and one text filter kept in the URL, so a reload or a shared link shows the
 * same page of the same list.
 */
export function usePageParams(filterParam: string) {
  const [params, setParams] = useSearchParams();
  const query: PageQuery = {
    page: positiveInt(params.get('page'), 1),
    pageSize: positiveInt(params.get('pageSize'), defaultPageSize, maxPageSize),
  };
  const filter = params.get(filterParam) ?? '';

  const update = (changes: Record<string, string | number | null>) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [name, value] of Object.entries(changes)) {
        if (value === null || value === '') next.delete(name);
        else next.set(name, String(value));
      }
      return next;
    });

  return {
    ...query,
    filter,
    setPage: (page: number, pageSize: number) => update({ page: pageSize === query.pageSize ? page : 1, pageSize }),
    setFilter: (value: string) => update({ [filterParam]: value.trim(), page: null }),
  };
}
