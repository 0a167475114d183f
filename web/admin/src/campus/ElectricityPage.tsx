import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Space, Tag, Tooltip, type TableColumnsType } from 'antd';
import type { z } from 'zod';
import { formatYuan } from '../../../../src/domain/money.js';
import type { adminElectricityPurchaseSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { errorText, fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { campusAdminMessages } from './messages.js';

type Purchase = z.infer<typeof adminElectricityPurchaseSchema>;
const path = '/admin/campus/electricity';
const statusColors = { queued: 'blue', delivered: 'green', failed: 'red' } as const;

/**
 * 宿舍电费: the school's electricity purchases and whether each reached its meter (an operator
 * picks the school, or sees all). A failed one is sent again (重新下发) once the meter is put right.
 */
export function ElectricityPage() {
  const t = useMessages(campusAdminMessages);
  const { lang } = useLang();
  const operator = isOperator(useConsoleUser());
  const { mutate } = useAdminApi();
  const { message, modal } = App.useApp();
  const client = useQueryClient();
  const resend = useIdempotentMutation({
    mutationFn: (id: string, idempotencyKey) => mutate<Purchase>('POST', `${path}/${id}/resend`, undefined, idempotencyKey),
    onSuccess: async () => void message.success(t.resent),
    // Sent again meanwhile by a colleague, or delivered: either way the row is shown as it is now.
    onError: (error) => void message.error(errorText(error, lang)),
    onSettled: () => client.invalidateQueries({ queryKey: [path] }),
  });

  const columns: TableColumnsType<Purchase> = [
    { title: t.boughtAt, dataIndex: 'createdAt', render: (at: string) => formatBeijingTime(at, lang) },
    ...(operator ? [{ title: t.school, dataIndex: 'schoolName' }] : []),
    { title: t.room, key: 'room', render: (_, row) => `${row.room.building} ${row.room.roomNo}` },
    { title: t.meterNo, dataIndex: 'meterNo', render: (no: string) => <span className="mono">{no}</span> },
    { title: t.student, dataIndex: 'studentNameMasked' },
    { title: t.amount, dataIndex: 'amountFen', align: 'right', render: (fen: number) => <span className="mono">{formatYuan(fen)}</span> },
    { title: t.kwh, dataIndex: 'kwh', align: 'right', render: (kwh: string) => <span className="mono">{kwh}</span> },
    {
      title: t.status, dataIndex: 'meterStatus',
      render: (status: Purchase['meterStatus'], row) => {
        const tag = <Tag color={statusColors[status]} data-testid="meter-status">{t[`meter_${status}`]}</Tag>;
        return row.meterError ? <Tooltip title={row.meterError}>{tag}</Tooltip> : tag;
      },
    },
    {
      title: t.actions, key: 'actions',
      render: (_, row) =>
        row.meterStatus === 'failed' && (
          <Button
            size="small" type="primary" loading={resend.isPending && resend.variables === row.id} data-testid="meter-resend"
            onClick={() => void modal.confirm({ title: t.resend, content: fill(t.resendConfirm, { meter: row.meterNo }), okText: t.resend, onOk: () => resend.mutate(row.id) })}
          >
            {t.resend}
          </Button>
        ),
    },
  ];
  const statusFilter: SelectFilter = {
    name: 'status',
    placeholder: t.allStatuses,
    options: (['queued', 'delivered', 'failed'] as const).map((s) => ({ value: s, label: t[`meter_${s}`] })),
    minWidth: 140,
    testId: 'meter-status-filter',
  };

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Alert type="info" showIcon title={t.electricityNote} />
      <ServerTable<Purchase>
        testId="electricity-table" title={t.electricity} path={path} schoolFilter={operator} selectFilters={[statusFilter]} emptyText={t.noElectricity} columns={columns}
      />
    </Space>
  );
}
