import { Card } from 'antd';
import { useSearchParams } from 'react-router';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { OrderDrawer } from '../payments/OrderDrawer.js';
import { orderColumns } from '../payments/orderColumns.js';
import { OrderFilters, orderFilterNames } from '../payments/OrderFilters.js';
import { paymentMessages } from '../payments/messages.js';
import type { AdminOrderRow } from '../payments/types.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable } from '../ServerTable.js';
import { usePageParams } from '../usePageParams.js';

/**
 * Orders searched on the server: order number, education ID or name, status, kind, gateway, a
 * range of Beijing days and (operators) the school. A row opens the order's drawer, kept in the
 * URL (`?order=`) so a link shows the same order.
 */
export function OrdersPage() {
  const p = useMessages(paymentMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  const { filters, setFilters } = usePageParams('q', orderFilterNames);
  const [params, setParams] = useSearchParams();
  const openOrder = (orderId: string | null) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      if (orderId) next.set('order', orderId);
      else next.delete('order');
      return next;
    });

  return (
    <>
      {/* Many filters: their own bar, so the table keeps its title and search box. */}
      <Card size="small" style={{ marginBottom: 16 }} data-testid="order-filters">
        <OrderFilters operator={operator} filters={filters} onChange={setFilters} />
      </Card>
      <ServerTable<AdminOrderRow>
        testId="orders-table"
        title={p.orders}
        path="/admin/orders"
        filterParam="q"
        filterMaxLength={32}
        filterPlaceholder={p.searchOrders}
        query={{ status: filters.status, kind: filters.kind, gateway: filters.gateway, from: filters.from, to: filters.to, schoolId: operator ? filters.schoolId : undefined }}
        emptyText={p.noOrders}
        columns={orderColumns(p, lang, operator)}
        onRowClick={(row) => openOrder(row.id)}
      />
      <OrderDrawer orderId={params.get('order') ?? undefined} operator={operator} onClose={() => openOrder(null)} />
    </>
  );
}
