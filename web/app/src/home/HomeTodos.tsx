import { Card, ErrorBlock, List, Skeleton } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { shanghaiDate } from '../../../../src/domain/calendar.js';
import { fill, useMessages } from '../../../shared/i18n.js';
import { productLabel } from '../cards/labels.js';
import { cardMessages } from '../cards/messages.js';
import { cardPaths } from '../cards/paths.js';
import { useCards } from '../cards/queries.js';
import { messages } from '../messages.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { formatYuan } from '../payments/format.js';
import { moneyPaths } from '../payments/paths.js';
import { useOrderListing } from '../payments/queries.js';
import { todosOf, type Todo } from './todos.js';

/** 待办: what the cards and orders ask of the signed-in student or parent now, each a tap away. */
export function HomeTodos() {
  const t = useMessages(messages);
  const c = useMessages(cardMessages);
  const navigate = useNavigate();
  const cards = useCards();
  const pending = useOrderListing('pending', 1);

  if (cards.isPending || pending.isPending) return <Card><Skeleton.Paragraph lineCount={3} animated /></Card>;
  if (cards.isError) return <LoadFailed error={cards.error} onRetry={() => void cards.refetch()} />;
  if (pending.isError) return <LoadFailed error={pending.error} onRetry={() => void pending.refetch()} />;
  // The phone's date: a reminder a day early or late does no harm.
  const todos = todosOf(cards.data, pending.data.total, shanghaiDate(new Date()));
  if (todos.length === 0) return <Card><ErrorBlock status="empty" title={t.noNews} description={null} data-testid="todos-empty" /></Card>;

  const text = (todo: Todo): string => {
    if (todo.kind === 'pending_orders') return fill(t.todo_pending_orders, { n: todo.count });
    // The card's last digits tell apart children whose masked names are alike (张** and 张**).
    const names = { holder: todo.card.holderNameMasked, product: productLabel(c, todo.card), tail: todo.card.cardNoMasked.slice(-3) };
    if (todo.kind === 'extend_soon') return fill(t.todo_extend_soon, { ...names, date: todo.validUntil });
    if (todo.kind === 'low_balance') return fill(t.todo_low_balance, { ...names, amount: formatYuan(todo.card.availableFen) });
    return fill(t[`todo_${todo.kind}`], names);
  };
  const target = (todo: Todo): string => {
    if (todo.kind === 'pending_orders') return moneyPaths.pendingOrders;
    if (todo.kind === 'extend_soon' || todo.kind === 'extend_expired') return cardPaths.extend(todo.card.id);
    if (todo.kind === 'low_balance') return moneyPaths.cardTopUp(todo.card.id);
    return cardPaths.card(todo.card.id);
  };
  return (
    <List header={t.todos} mode="card" data-testid="todos">
      {todos.map((todo) => (
        <List.Item key={`${todo.kind}:${'card' in todo ? todo.card.id : ''}`} arrow onClick={() => navigate(target(todo))} data-testid="todo" data-kind={todo.kind}>
          {text(todo)}
        </List.Item>
      ))}
    </List>
  );
}
