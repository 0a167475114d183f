import { Tag, type TableColumnsType } from 'antd';
import { useSearchParams } from 'react-router';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { BalanceRefundDrawer, balanceRefundStatusColors } from '../payments/BalanceRefundDrawer.js';
import { payLabel, paymentMessages } from '../payments/messages.js';
import { formatFen } from '../payments/money.js';
import type { AdminBalanceRefundRow } from '../payments/types.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { EducationId } from '../EducationId.js';

/**
 * Balance refunds (card return): up to ¥200 back through the gateways, above that at an outlet.
 * The ones waiting for an outlet come first; a row opens the outlet flow.
 */
export function BalanceRefundsPage() {
  const p = useMessages(paymentMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  const [params, setParams] = useSearchParams();
  const open = (id: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (id) next.set('refund', id);
      else next.delete('refund');
      return next;
    });

  const columns: TableColumnsType<AdminBalanceRefundRow> = [
    { title: p.createdAt, dataIndex: 'createdAt', render: (at: string) => formatBeijingTime(at, lang) },
    { title: p.student, key: 'student', render: (_, row) => <span>{row.studentName} <EducationId id={row.educationId} /></span> },
    ...(operator ? [{ title: p.school, dataIndex: 'schoolName' }] : []),
    { title: p.amount, dataIndex: 'amountFen', align: 'right', render: (fen: number) => formatFen(fen) },
    { title: p.route, dataIndex: 'route', render: (route: string) => payLabel(p, 'route', route) },
    { title: p.status, dataIndex: 'status', render: (status: AdminBalanceRefundRow['status']) => <Tag color={balanceRefundStatusColors[status]}>{payLabel(p, 'br', status)}</Tag> },
    { title: p.gatewayRefunds, key: 'gatewayRefunds', render: (_, row) => (row.route === 'gateway' ? `${row.gatewayRefundsSucceeded} / ${row.gatewayRefunds}` : '—') },
    { title: p.outlet, key: 'outlet', render: (_, row) => (row.outlet ? `${row.outlet} · ${row.outletReference ?? ''}` : '—') },
    { title: p.completedAt, dataIndex: 'completedAt', render: (at: string | null) => (at ? formatBeijingTime(at, lang) : '—') },
  ];

  const filters: SelectFilter[] = [
    { name: 'status', placeholder: p.allStatuses, options: (['awaiting_outlet', 'refunding', 'completed'] as const).map((s) => ({ value: s, label: payLabel(p, 'br', s) })), minWidth: 130, testId: 'balance-refund-status-select' },
    { name: 'route', placeholder: p.allRoutes, options: (['gateway', 'outlet'] as const).map((r) => ({ value: r, label: payLabel(p, 'route', r) })), minWidth: 130 },
  ];

  return (
    <>
      <ServerTable<AdminBalanceRefundRow>
        testId="balance-refunds-table"
        title={p.balanceRefunds}
        path="/admin/balance-refunds"
        filterParam="q"
        filterMaxLength={32}
        filterPlaceholder={p.searchStudents}
        schoolFilter={operator}
        selectFilters={filters}
        emptyText={p.noBalanceRefunds}
        columns={columns}
        onRowClick={(row) => open(row.id)}
      />
      <BalanceRefundDrawer id={params.get('refund') ?? undefined} operator={operator} onClose={() => open(null)} />
    </>
  );
}
