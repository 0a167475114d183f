/** The money screens' addresses, for links from other screens (the cards page, the home page). */
export const moneyPaths = {
  orders: '/orders',
  pendingOrders: '/orders?tab=pending',
  order: (orderId: string) => `/orders/${orderId}`,
  topUp: '/top-up',
  cardTopUp: (cardId: string) => `/cards/${cardId}/top-up`,
  cardTransactions: (cardId: string) => `/cards/${cardId}/transactions`,
  payResult: (orderId: string) => `/pay/result?orderId=${encodeURIComponent(orderId)}`,
} as const;
