import { useQueries, useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { libraryLoansSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { Card, ErrorBlock, List, Skeleton } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { shanghaiDate } from '../../../../src/domain/calendar.js';
import { fill, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi, useMe, useSession } from '../../../shared/session.js';
import { useAllApplications } from '../cards/fulfilment.js';
import { productLabel } from '../cards/labels.js';
import { cardMessages } from '../cards/messages.js';
import { billsQuery } from '../campus/BillsPage.js';
import { campusPaths, isCampusStage } from '../campus/paths.js';
import { cardPaths } from '../cards/paths.js';
import { ecardPaths } from '../ecards/paths.js';
import { useCards, useParentChildren } from '../cards/queries.js';
import { extensionCheckQuery } from '../cards/services.js';
import { messages } from '../messages.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { formatYuan } from '../payments/format.js';
import { accountMessages } from '../account/messages.js';
import { holderTag } from '../ui/labels.js';
import { moneyPaths } from '../payments/paths.js';
import { useOrderListing } from '../payments/queries.js';
import { cardsNearExpiry, countedText, todosOf, type CountedTodoKey, type Todo } from './todos.js';

const closedApplications = new Set(['completed', 'cancelled']);

/** 待办: what the cards and orders ask of the signed-in student or parent now, each a tap away. */
export function HomeTodos() {
  const t = useMessages(messages);
  const c = useMessages(cardMessages);
  const a = useMessages(accountMessages);
  const { lang } = useLang();
  const navigate = useNavigate();
  const api = useApi();
  const { token } = useSession();
  const me = useMe();
  const cards = useCards();
  const pending = useOrderListing('pending', 1);
  const applications = useAllApplications();
  // The phone's date: a reminder a day early or late does no harm.
  const today = shanghaiDate(new Date());
  // Only cards close to expiry are asked about graduation (the server's extension check knows it).
  const checks = useQueries({ queries: cardsNearExpiry(cards.data ?? [], today).map((card) => extensionCheckQuery(api, token, card.id)) });
  // A student with a campus card in use: the library's overdue books and fines (the same query as 借阅图书's page).
  const campusStudent = me.data?.role === 'student' && (cards.data ?? []).some((card) => card.product === 'campus_card' && card.status === 'active');
  const library = useQuery({
    queryKey: ['campus', 'library', 'loans', token],
    queryFn: ({ signal }) => api.get<z.infer<typeof libraryLoansSchema>>('/campus/library/loans', undefined, signal),
    enabled: campusStudent,
  });
  // University bills to pay: a university student's own, or each university child's (学费缴费's queries).
  const children = useParentChildren(me.data?.role === 'parent');
  const billPayers = me.data?.role === 'student'
    ? (isCampusStage(me.data.schoolStage) ? [{ studentId: undefined, holder: null }] : [])
    : (children.data ?? []).filter((child) => isCampusStage(child.stage)).map((child) => ({ studentId: child.studentId, holder: child.name }));
  const bills = useQueries({ queries: billPayers.map((payer) => billsQuery(api, token, payer.studentId)) });

  if (cards.isError) return <LoadFailed error={cards.error} onRetry={() => void cards.refetch()} />;
  if (pending.isError) return <LoadFailed error={pending.error} onRetry={() => void pending.refetch()} />;
  if (!cards.data || !pending.data || applications.isPending || checks.some((q) => q.isPending) || (campusStudent && library.isPending) || bills.some((q) => q.isPending)) return <Card><Skeleton.Paragraph lineCount={3} animated /></Card>;
  // The replacements and graduation dates only refine the list: without them (a failed request)
  // a lost card still offers 补办 and a card near expiry still asks to be extended.
  const replacements = new Map(
    (applications.data ?? []).flatMap((a) => (a.oldCardId && !closedApplications.has(a.status) ? [[a.oldCardId, { applicationId: a.id, status: a.statusLabel }] as const] : [])),
  );
  const graduation = new Map(checks.flatMap((q) => (q.data?.graduationDate ? [[q.data.cardId, q.data.graduationDate] as const] : [])));
  const extensionRefused = new Set(checks.flatMap((q) => (q.data && !q.data.eligible ? [q.data.cardId] : [])));
  const loans = library.data;
  // A card under way (a first card, a replacement) is made only once its holder confirms the card information.
  const waiting = (applications.data ?? []).filter((a) => !closedApplications.has(a.status) && a.infoConfirmation?.status === 'pending');
  const confirmations = [...new Map(waiting.map((a) => [a.studentId, { studentId: a.studentId, nameMasked: a.studentNameMasked }])).values()];
  // A failed bills request only leaves its reminder out: the bills page says what went wrong.
  const billsDue = billPayers.flatMap((payer, i) => {
    const unpaid = bills[i]?.data?.items.filter((b) => b.status === 'unpaid') ?? [];
    return [{ studentId: payer.studentId ?? null, holder: payer.holder, count: unpaid.length, amountFen: unpaid.reduce((sum, b) => sum + b.amountFen, 0), overdue: unpaid.some((b) => b.overdue) }];
  });
  const todos = todosOf(cards.data, {
    today, pendingOrders: pending.data.total, replacements, graduation, extensionRefused, confirmations, bills: billsDue,
    ...(loans ? { library: { overdue: loans.items.filter((l) => l.overdue).length, finesOwedFen: loans.finesOwedFen } } : {}),
  });
  if (todos.length === 0) return <Card><ErrorBlock status="empty" title={t.noNews} description={null} data-testid="todos-empty" /></Card>;

  const counted = (key: CountedTodoKey, n: number) => countedText(t, key, n);
  const text = (todo: Todo): string => {
    if (todo.kind === 'pending_orders') return fill(counted('todo_pending_orders', todo.count), { n: todo.count });
    if (todo.kind === 'library_overdue') return fill(counted('todo_library_overdue', todo.count), { n: todo.count });
    if (todo.kind === 'library_fine') return fill(t.todo_library_fine, { amount: formatYuan(todo.amountFen) });
    if (todo.kind === 'confirm_info') return fill(t.todo_confirm_info, { holder: todo.nameMasked });
    if (todo.kind === 'bills_due') {
      const holder = todo.holder ? fill(t.todo_holder, { holder: todo.holder }) : '';
      return fill(todo.overdue ? t.todo_bills_overdue : counted('todo_bills_due', todo.count), { holder, n: todo.count, amount: formatYuan(todo.amountFen) });
    }
    // The card's last digits tell apart children whose masked names are alike (张** and 张**).
    const names = { holder: todo.card.holderNameMasked, product: productLabel(c, todo.card), tail: todo.card.cardNoMasked.slice(-3) };
    if (todo.kind === 'extend_soon') return fill(t.todo_extend_soon, { ...names, date: todo.validUntil });
    if (todo.kind === 'extend_grace') return fill(t.todo_extend_grace, { ...names, date: todo.validUntil, until: todo.graceUntil });
    if (todo.kind === 'low_balance') return fill(t.todo_low_balance, { ...names, amount: formatYuan(todo.card.availableFen) });
    if (todo.kind === 'refund_on_leaving') return fill(t.todo_refund_on_leaving, { ...names, amount: formatYuan(todo.card.availableFen) });
    if (todo.kind === 'replacing') return fill(t.todo_replacing, { ...names, status: lang === 'en' ? todo.status.en : todo.status.zh });
    return fill(t[`todo_${todo.kind}`], names);
  };
  // A parent's child, told apart from a sibling whose masked name is alike: school and class (the card's digits are in the text).
  const holderOf = (todo: Todo): string | undefined => {
    const studentId = 'card' in todo ? todo.card.studentId : 'studentId' in todo ? todo.studentId : null;
    const child = studentId ? children.data?.find((k) => k.studentId === studentId) : undefined;
    return child ? holderTag(a, { schoolName: child.schoolName, grade: child.grade, classNo: child.classNo }) || undefined : undefined;
  };
  const target = (todo: Todo): string => {
    if (todo.kind === 'pending_orders') return moneyPaths.pendingOrders;
    if (todo.kind === 'confirm_info') return cardPaths.confirmation(todo.studentId);
    if (todo.kind === 'bills_due') return todo.studentId ? `${campusPaths.bills}?studentId=${todo.studentId}` : campusPaths.bills;
    if (todo.kind === 'library_overdue' || todo.kind === 'library_fine') return campusPaths.library;
    if (todo.kind === 'extend_soon' || todo.kind === 'extend_grace' || todo.kind === 'extend_expired') return todo.card.product === 'university_ecard' ? ecardPaths.university(todo.card.id) : cardPaths.extend(todo.card.id);
    if (todo.kind === 'low_balance') return moneyPaths.cardTopUp(todo.card.id);
    if (todo.kind === 'refund_on_leaving') return cardPaths.returnCard(todo.card.id);
    if (todo.kind === 'replacing') return cardPaths.application(todo.applicationId);
    return cardPaths.card(todo.card.id);
  };
  return (
    <List header={t.todos} mode="card" data-testid="todos">
      {todos.map((todo) => (
        <List.Item key={`${todo.kind}:${'card' in todo ? todo.card.id : 'studentId' in todo ? todo.studentId : ''}`} arrow onClick={() => navigate(target(todo))} data-testid="todo" data-kind={todo.kind} data-overdue={todo.kind === 'bills_due' ? todo.overdue : undefined} description={holderOf(todo)}>
          {text(todo)}
        </List.Item>
      ))}
    </List>
  );
}
