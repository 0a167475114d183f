import { Button, ErrorBlock, List, Skeleton, Tabs } from 'antd-mobile';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { paymentMessages } from '../payments/messages.js';
import { OrderRow } from '../payments/OrderRow.js';
import { orderTabs, useOrderListing, type OrderTab } from '../payments/queries.js';
import { SubPage } from '../ui/SubPage.js';
import { LoadFailed } from './LoadFailed.js';

const pageSize = 10;
const isTab = (value: string | null): value is OrderTab => orderTabs.includes(value as OrderTab);

function OrderList({ tab }: { tab: OrderTab }) {
  const t = useMessages(paymentMessages);
  const navigate = useNavigate();
  const [pages, setPages] = useState(1);
  const listing = useOrderListing(tab, pages * pageSize);

  if (listing.isPending) return <Skeleton.Paragraph lineCount={6} animated />;
  if (listing.isError) return <LoadFailed error={listing.error} onRetry={() => void listing.refetch()} />;
  if (listing.data.items.length === 0) {
    return <ErrorBlock status="empty" title={t.noOrders} description={t.noOrdersHint} data-testid="orders-empty" />;
  }
  const more = listing.data.total > listing.data.items.length;
  return (
    <>
      <List className="section" data-testid="orders-list">
        {listing.data.items.map((order) => (
          <OrderRow key={order.id} order={order} onClick={() => navigate(`/orders/${order.id}`)} />
        ))}
      </List>
      {more ? (
        <Button block fill="none" loading={listing.isFetching} onClick={() => setPages((n) => n + 1)} data-testid="orders-more">
          {t.loadMore}
        </Button>
      ) : (
        <div className="muted" style={{ textAlign: 'center', padding: 8 }}>{t.noMore}</div>
      )}
    </>
  );
}

/** 我的订单: all / 待支付 / 已完成 / 已关闭; a parent sees every bound child's orders. */
export function OrdersPage() {
  const t = useMessages(paymentMessages);
  const [search, setSearch] = useSearchParams();
  const requested = search.get('tab');
  const tab: OrderTab = isTab(requested) ? requested : 'all';

  return (
    <SubPage title={t.myOrders} backTo="/">
      <Tabs activeKey={tab} onChange={(key) => setSearch(key === 'all' ? {} : { tab: key }, { replace: true })} style={{ background: '#fff', borderRadius: 12, marginBottom: 12 }}>
        {orderTabs.map((key) => (
          <Tabs.Tab key={key} title={t[`tab_${key}`]} />
        ))}
      </Tabs>
      <OrderList key={tab} tab={tab} />
    </SubPage>
  );
}
