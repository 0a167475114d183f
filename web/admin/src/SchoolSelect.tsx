import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useState, type CSSProperties } from 'react';
import { useMessages } from '../../shared/i18n.js';
import type { PageOf } from '../../shared/paging.js';
import { useApi } from '../../shared/session.js';
import { messages } from './messages.js';
import type { SchoolRow } from './types.js';

/** Names of schools seen in this tab, so a chosen school keeps its label when a new search omits it. */
const seenNames = new Map<string, string>();

interface SchoolSelectProps {
  value?: string;
  onChange?: (schoolId: string | undefined) => void;
  allowClear?: boolean;
  /** The name of the school already chosen, for when it is not among the first results. */
  initialLabel?: string;
  style?: CSSProperties;
}

/** An operator's school picker; searches on the server (name or code), 20 at a time. */
export function SchoolSelect({ value, onChange, allowClear = true, initialLabel, style }: SchoolSelectProps) {
  const t = useMessages(messages);
  const api = useApi();
  const [search, setSearch] = useState('');
  const schools = useQuery({
    queryKey: ['/admin/schools', { q: search, page: 1, pageSize: 20 }],
    queryFn: ({ signal }) => api.get<PageOf<SchoolRow>>('/admin/schools', { q: search, page: 1, pageSize: 20 }, signal),
    placeholderData: keepPreviousData,
  });
  for (const school of schools.data?.items ?? []) seenNames.set(school.id, `${school.name}（${school.code}）`);
  const options = (schools.data?.items ?? []).map((s) => ({ value: s.id, label: seenNames.get(s.id) }));
  if (value && !options.some((o) => o.value === value)) options.unshift({ value, label: seenNames.get(value) ?? initialLabel ?? `…${value.slice(-8)}` });

  return (
    <Select<string>
      data-testid="school-select"
      showSearch={{ filterOption: false, onSearch: setSearch }}
      allowClear={allowClear}
      placeholder={t.chooseSchool}
      value={value}
      onChange={(next) => onChange?.(next ?? undefined)}
      loading={schools.isFetching}
      options={options}
      notFoundContent={schools.isError ? t.loadFailed : undefined}
      style={{ minWidth: 240, ...style }}
    />
  );
}
