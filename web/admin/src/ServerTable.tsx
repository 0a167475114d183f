import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Card, Empty, Input, Select, Space, Table, type TableColumnsType } from 'antd';
import type { ReactNode } from 'react';
import type { Query } from '../../shared/api.js';
import { fill, useMessages } from '../../shared/i18n.js';
import type { PageOf } from '../../shared/paging.js';
import { useApi } from '../../shared/session.js';
import { LoadError } from './LoadError.js';
import { messages } from './messages.js';
import { SchoolSelect } from './SchoolSelect.js';
import { usePageParams, type ParamChanges } from './usePageParams.js';

/** A drop-down filter kept in the URL (`?name=value`) and sent to the list's endpoint; cleared, it lists all. */
export interface SelectFilter {
  /** The query parameter, e.g. `status`. */
  name: string;
  placeholder: string;
  options: { value: string; label: string }[];
  minWidth?: number;
  testId?: string;
  /** Typing narrows a long list of options (by their label). */
  showSearch?: boolean;
}

interface ServerTableProps<T> {
  title: ReactNode;
  /** API path of a paginated list, e.g. `/admin/schools`. */
  path: string;
  /** The query parameter the search box fills, e.g. `q`; no search box without it. */
  filterParam?: string;
  filterPlaceholder?: string;
  /** The longest search the endpoint accepts. */
  filterMaxLength?: number;
  /** Further query parameters (filters chosen elsewhere on the page, a fixed school). */
  query?: Query;
  /** An operator's school picker (`?schoolId=`); leave it off for a card manager, whose lists are their school's. */
  schoolFilter?: boolean;
  /** Drop-down filters after the school picker; changing one goes back to page 1. */
  selectFilters?: SelectFilter[];
  /** Controls shown after the filters, before the search box: an "add" button, a page's own filters. */
  toolbar?: ReactNode;
  emptyText: string;
  columns: TableColumnsType<T>;
  onRowClick?: (row: T) => void;
  /** False while a parameter the list needs (a school) is not chosen yet. */
  enabled?: boolean;
  testId?: string;
}

/** A table whose paging and filtering happen on the server: only one page is ever loaded. */
export function ServerTable<T extends { id: string }>(props: ServerTableProps<T>) {
  const t = useMessages(messages);
  const api = useApi();
  const filterNames = [...(props.schoolFilter ? ['schoolId'] : []), ...(props.selectFilters ?? []).map((f) => f.name)];
  const { page, pageSize, filter, filters, setPage, setFilter, setFilters } = usePageParams(props.filterParam, filterNames);
  const enabled = props.enabled ?? true;
  const query: Query = { ...props.query, ...filters, page, pageSize, ...(props.filterParam ? { [props.filterParam]: filter } : {}) };

  const list = useQuery({
    queryKey: [props.path, query],
    queryFn: ({ signal }) => api.get<PageOf<T>>(props.path, query, signal),
    placeholderData: keepPreviousData,
    enabled,
  });

  return (
    <Card
      title={props.title}
      extra={
        <Space wrap>
          <FilterSelects school={props.schoolFilter ?? false} selects={props.selectFilters ?? []} values={filters} onChange={setFilters} />
          {props.toolbar}
          {props.filterParam && (
            <Input.Search
              key={filter}
              allowClear
              defaultValue={filter}
              maxLength={props.filterMaxLength ?? 64}
              placeholder={props.filterPlaceholder}
              onSearch={setFilter}
              style={{ width: 260 }}
              data-testid="table-search"
            />
          )}
        </Space>
      }
    >
      {list.isError && <LoadError error={list.error} onRetry={() => void list.refetch()} />}
      <Table<T>
        data-testid={props.testId}
        rowKey="id"
        columns={props.columns}
        dataSource={enabled ? (list.data?.items ?? []) : []}
        loading={enabled && list.isFetching}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={props.emptyText} /> }}
        scroll={{ x: 'max-content' }}
        onRow={props.onRowClick && ((row) => ({ onClick: () => props.onRowClick?.(row), style: { cursor: 'pointer' } }))}
        pagination={{
          current: page,
          pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: (total) => fill(t.total, { n: total }),
          onChange: setPage,
        }}
      />
    </Card>
  );
}

interface FilterSelectsProps {
  school: boolean;
  selects: SelectFilter[];
  values: Record<string, string>;
  onChange: (changes: ParamChanges) => void;
}

/** The school picker and drop-down filters of a ServerTable, read from and written to the URL. */
function FilterSelects({ school, selects, values, onChange }: FilterSelectsProps) {
  return (
    <>
      {school && <SchoolSelect value={values.schoolId} onChange={(id) => onChange({ schoolId: id })} />}
      {selects.map((f) => (
        <Select<string>
          key={f.name}
          data-testid={f.testId}
          allowClear
          placeholder={f.placeholder}
          value={values[f.name]}
          onChange={(value) => onChange({ [f.name]: value ?? null })}
          options={f.options}
          {...(f.showSearch ? { showSearch: { optionFilterProp: 'label' } } : {})}
          style={{ minWidth: f.minWidth ?? 120 }}
        />
      ))}
    </>
  );
}
