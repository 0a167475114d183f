import { Select } from 'antd';
import type { CSSProperties } from 'react';
import { useMessages } from '../../shared/i18n.js';
import { classLabel, messages } from './messages.js';
import { useClasses } from './useClasses.js';

interface ClassSelectProps {
  schoolId: string | undefined;
  value?: string | null;
  onChange?: (classId: string | undefined) => void;
  placeholder?: string;
  style?: CSSProperties;
}

/** The classes of one school, in grade order; disabled until there is a school. */
export function ClassSelect({ schoolId, value, onChange, placeholder, style }: ClassSelectProps) {
  const t = useMessages(messages);
  const classes = useClasses(schoolId);
  const options = (classes.data ?? []).map((c) => ({ value: c.id, label: classLabel(t, c.grade, c.classNo) }));
  return (
    <Select<string>
      data-testid="class-select"
      allowClear
      showSearch={{ optionFilterProp: 'label' }}
      disabled={!schoolId}
      placeholder={placeholder ?? t.allClasses}
      value={value ?? undefined}
      onChange={(next) => onChange?.(next ?? undefined)}
      loading={classes.isFetching}
      options={options}
      notFoundContent={classes.isError ? t.loadFailed : undefined}
      style={{ minWidth: 160, ...style }}
    />
  );
}
