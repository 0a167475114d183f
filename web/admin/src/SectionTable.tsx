import { Empty, Table, type TableProps } from 'antd';
import { LoadError } from './LoadError.js';

/** What the table shows of its load (a TanStack query). */
interface SectionLoad {
  isError: boolean;
  error: unknown;
  isFetching: boolean;
  refetch: () => unknown;
}

/**
 * A table that is one section of a page, its rows loaded whole or paged by the page itself (unlike
 * ServerTable, which keeps its page in the URL): the load's error with a retry, a small table
 * that spins while loading, and its empty text.
 */
export function SectionTable<T extends object>({ load, rows, emptyText, ...table }: { load: SectionLoad; rows: readonly T[] | undefined; emptyText: string } & Omit<TableProps<T>, 'dataSource' | 'loading' | 'locale' | 'size'>) {
  return (
    <>
      {load.isError && <LoadError error={load.error} onRetry={() => void load.refetch()} />}
      <Table<T>
        size="small"
        loading={load.isFetching}
        dataSource={rows ?? []}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={emptyText} /> }}
        {...table}
      />
    </>
  );
}
