import { DatePicker, Select, Space } from 'antd';
import dayjs from 'dayjs';
import { useMessages } from '../../../shared/i18n.js';
import { SchoolSelect } from '../SchoolSelect.js';
import type { ParamChanges } from '../usePageParams.js';
import { useDayjsLocale } from '../calendar/useDayjsLocale.js';
import { payLabel, paymentMessages } from './messages.js';
import type { AdminOrderRow } from './types.js';

export const orderStatuses: AdminOrderRow['status'][] = ['created', 'paying', 'paid', 'fulfilled', 'cancelled', 'expired', 'refunded'];
export const orderFilterNames = ['status', 'kind', 'gateway', 'from', 'to', 'schoolId'] as const;

interface OrderFiltersProps {
  operator: boolean;
  filters: Record<string, string>;
  onChange: (changes: ParamChanges) => void;
}

/** Status, kind, gateway, creation date range (Beijing days) and, for operators, the school. */
export function OrderFilters({ operator, filters, onChange }: OrderFiltersProps) {
  const p = useMessages(paymentMessages);
  useDayjsLocale();
  const range: [dayjs.Dayjs, dayjs.Dayjs] | null = filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : null;
  return (
    <Space wrap>
      {operator && <SchoolSelect value={filters.schoolId} onChange={(id) => onChange({ schoolId: id })} style={{ minWidth: 220 }} />}
      <Select<string>
        data-testid="order-status-select"
        allowClear
        placeholder={p.allStatuses}
        value={filters.status}
        onChange={(status) => onChange({ status: status ?? null })}
        options={orderStatuses.map((status) => ({ value: status, label: payLabel(p, 'order', status) }))}
        style={{ minWidth: 120 }}
      />
      <Select<string>
        data-testid="order-kind-select"
        allowClear
        placeholder={p.allKinds}
        value={filters.kind}
        onChange={(kind) => onChange({ kind: kind ?? null })}
        options={(['top_up', 'network_top_up', 'fee', 'school_bill'] as const).map((kind) => ({ value: kind, label: payLabel(p, 'kind', kind) }))}
        style={{ minWidth: 110 }}
      />
      <Select<string>
        data-testid="order-gateway-select"
        allowClear
        placeholder={p.allGateways}
        value={filters.gateway}
        onChange={(gateway) => onChange({ gateway: gateway ?? null })}
        options={(['alipay', 'wechat'] as const).map((gateway) => ({ value: gateway, label: payLabel(p, 'gateway', gateway) }))}
        style={{ minWidth: 120 }}
      />
      <DatePicker.RangePicker
        data-testid="order-date-range"
        allowClear
        value={range}
        placeholder={[p.dateRange, p.dateRange]}
        onChange={(dates) => onChange({ from: dates?.[0]?.format('YYYY-MM-DD') ?? null, to: dates?.[1]?.format('YYYY-MM-DD') ?? null })}
      />
    </Space>
  );
}
