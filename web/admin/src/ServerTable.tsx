import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Empty, Input, Table, type TableColumnsType } from 'antd';
import { errorText, useLang, useMessages } from '../../shared/i18n.js';
import type { PageOf } from '../../shared/paging.js';
import { useApi } from '../../shared/session.js';
import { messages } from './messages.js';
import { usePageParams } from './usePageParams.js';

interface ServerTableProps<T> {
  title: string;
  /** API path of a paginated list, e.g. `/admin/schools`. */
  path: string;
  /** The query parameter the search box fills, e.g. `q`. */
  filterParam: string;
  filterPlaceholder: string;
  emptyText: string;
  columns: TableColumnsType<T>;
  testId?: string;
}

/** A table whose paging and filtering happen on the server: only one page is ever loaded. */
export function ServerTable<T extends { id: string }>(props: ServerTableProps<T>) {
  const t = useMessages(messages);
  const { lang } = useLang();
  const api = useApi();
  const { page, pageSize, filter, setPage, setFilter } = usePageParams(props.filterParam);

  const list = useQuery({
    queryKey: [props.path, { page, pageSize, filter }],
    queryFn: ({ signal }) => api.get<PageOf<T>>(props.path, { page, pageSize, [props.filterParam]: filter }, signal),
    placeholderData: keepPreviousData,
  });

  return (
    <Card
      title={props.title}
      extra={
        <Input.Search
          key={filter}
          allowClear
          defaultValue={filter}
          maxLength={64}
          placeholder={props.filterPlaceholder}
          onSearch={setFilter}
          style={{ width: 280 }}
          data-testid="table-search"
        />
      }
    >
      {list.isError && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          title={t.loadFailed}
          description={errorText(list.error, lang)}
          action={<Button size="small" onClick={() => void list.refetch()}>{t.retry}</Button>}
        />
      )}
      <Table<T>
        data-testid={props.testId}
        rowKey="id"
        columns={props.columns}
        dataSource={list.data?.items ?? []}
        loading={list.isFetching}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={props.emptyText} /> }}
        scroll={{ x: 'max-content' }}
        pagination={{
          current: page,
          pageSize,
          total: list.data?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [10, 20, 50, 100],
          showTotal: (total) => t.total.replace('{n}', String(total)),
          onChange: setPage,
        }}
      />
    </Card>
  );
}
