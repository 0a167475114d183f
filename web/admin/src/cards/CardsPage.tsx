import { Tag, type TableColumnsType } from 'antd';
import { useNavigate } from 'react-router';
import { formatBeijingTime, useLang, useMessages, type Lang } from '../../../shared/i18n.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { cardLabel, cardMessages, statusColors, type CardTexts } from './messages.js';
import type { AdminCardItemDto } from './types.js';
import { EducationId } from '../EducationId.js';

export const cardStatuses = ['inactive', 'active', 'lost', 'suspended', 'superseded', 'replaced', 'returned', 'closed'] as const;
export const cardProducts = ['k12_card', 'k12_sticker', 'k12_ecard', 'university_ecard', 'campus_card', 'temporary_card'] as const;

export function cardColumns(t: CardTexts, lang: Lang, operator: boolean): TableColumnsType<AdminCardItemDto> {
  return [
    { title: t.cardNo, dataIndex: 'cardNoMasked', render: (v: string) => <span className="mono">{v}</span> },
    { title: t.holder, dataIndex: 'holderNameMasked' },
    { title: t.educationId, dataIndex: 'educationId', render: (id: string) => <EducationId id={id} /> },
    ...(operator ? [{ title: t.school, key: 'school', render: (_: unknown, row: AdminCardItemDto) => row.school.name }] : []),
    { title: t.product, dataIndex: 'product', render: (v: string) => cardLabel(t, 'product', v) },
    { title: t.status, dataIndex: 'status', render: (v: string) => <Tag color={statusColors[v]} data-testid="card-status-tag">{cardLabel(t, 'status', v)}</Tag> },
    { title: t.validUntil, dataIndex: 'validUntil', render: (v: string | null) => v ?? '—' },
    { title: t.createdAt, dataIndex: 'createdAt', render: (v: string) => formatBeijingTime(v, lang) },
  ];
}

/**
 * Card search (server side): card number or its start, education ID, student number or part of
 * the name; status, product and (operators) school. Card managers only ever see their school's
 * cards. Card numbers and names are masked (education IDs are whole, EducationId.tsx); a row opens the card's detail.
 */
export function CardsPage() {
  const t = useMessages(cardMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  const navigate = useNavigate();
  const filters: SelectFilter[] = [
    { name: 'status', placeholder: t.allStatuses, options: cardStatuses.map((s) => ({ value: s, label: cardLabel(t, 'status', s) })), testId: 'card-status-select' },
    { name: 'product', placeholder: t.allProducts, options: cardProducts.map((p) => ({ value: p, label: cardLabel(t, 'product', p) })), minWidth: 150, testId: 'card-product-select' },
  ];
  return (
    <ServerTable<AdminCardItemDto>
      testId="cards-table"
      title={t.cards}
      path="/admin/cards"
      filterParam="q"
      filterMaxLength={40}
      filterPlaceholder={t.searchCards}
      schoolFilter={operator}
      selectFilters={filters}
      emptyText={t.noCards}
      columns={cardColumns(t, lang, operator)}
      onRowClick={(row) => void navigate(`/cards/${row.id}`)}
    />
  );
}
