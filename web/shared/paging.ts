import type { z } from 'zod';
import type { PageQuery, pageSchema } from '../../src/modules/shared/pagination.js';

/** One page of a server-side paginated list, as the server's `pageSchema` describes it. */
export type PageOf<T> = Omit<z.infer<ReturnType<typeof pageSchema>>, 'items'> & { items: T[] };
export type { PageQuery };

export const defaultPageSize = 20;
export const maxPageSize = 200;
