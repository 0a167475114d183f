import { Button, Descriptions, Drawer, Space, Tag, Timeline, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { ServerTable, type SelectFilter } from '../ServerTable.js';
import { fulfilmentMessages, kindLabel, statusColors, statusText, type FulfilmentTexts } from './messages.js';
import { RedeliveryModal } from './RedeliveryModal.js';
import type { Application } from './types.js';
import { useFulfilmentAction } from './useAction.js';
import { VoidFirstCardModal } from './VoidFirstCardModal.js';

const statuses = ['awaiting_payment', 'ready_for_production', 'in_production', 'produced', 'dispatched', 'delivery_failed', 'returned_to_centre', 'delivered', 'completed', 'cancelled'] as const;

const methodLabel = (t: FulfilmentTexts, method: Application['delivery']['method']) => (method === 'school' ? t.method_school : t.method_home);

/** A card whose student is no longer enrolled at its school (left, graduated, moved): never handed over there. */
const holderGone = (row: Application) => row.studentEnrolment !== 'enrolled';
/** Such a first card is voided there; a replacement or sticker (paid for, or the family's) is sent home instead. */
const voidable = (row: Application) => row.kind === 'new_card' && holderGone(row);
const sendHomeOnly = (row: Application) => row.kind !== 'new_card' && holderGone(row);

/** 学生已离校 / 已转学…: why the student cannot pick the card up at the school (not told of a card already in their hands). */
function EnrolmentTag({ row, t }: { row: Application; t: FulfilmentTexts }) {
  if (row.studentEnrolment === 'enrolled' || row.status === 'completed') return null;
  return <Tag color="red" style={{ marginInlineStart: 8 }} data-testid="application-student-left" data-enrolment={row.studentEnrolment}>{t[`enrol_${row.studentEnrolment}`]}</Tag>;
}

/**
 * Replacement and sticker applications; a card manager confirms the pickup of cards delivered to
 * the school, and a card manager or operator sends a card back at the card centre out again (重新配送).
 * A card whose student has left (or moved) shows so and is not handed over: a first card is voided
 * (作废), a replacement or sticker sent home by courier (改为快递到家).
 */
export function ApplicationsPage() {
  const t = useMessages(fulfilmentMessages);
  const { lang } = useLang();
  const me = useConsoleUser();
  const operator = isOperator(me);
  const [shown, setShown] = useState<Application | null>(null);
  const [redelivering, setRedelivering] = useState<Application | null>(null);
  const [voiding, setVoiding] = useState<Application | null>(null);
  const pickup = useFulfilmentAction(() => t.pickedUp);
  const label = (l: { zh: string; en: string }) => (lang === 'en' ? l.en : l.zh);

  const columns: TableColumnsType<Application> = [
    { title: t.createdAt, dataIndex: 'createdAt', render: (at: string) => formatBeijingTime(at, lang) },
    { title: t.kind, dataIndex: 'kind', render: (_: unknown, row: Application) => <>{kindLabel(t, row.kind)}{row.kind === 'sticker' && <Tag style={{ marginInlineStart: 8 }} data-testid="application-reason">{label(row.reasonLabel)}</Tag>}</> },
    { title: t.student, dataIndex: 'studentNameMasked', render: (name: string, row: Application) => <>{name}<EnrolmentTag row={row} t={t} /></> },
    ...(operator ? [{ title: t.school, dataIndex: 'schoolName' }] : []),
    { title: t.status, dataIndex: 'status', render: (_: unknown, row: Application) => <Tag color={statusColors[row.status]} data-testid="application-status" data-status={row.status}>{label(row.statusLabel)}</Tag> },
    { title: t.delivery, key: 'delivery', render: (_, row) => methodLabel(t, row.delivery.method) },
    { title: t.oldCard, dataIndex: 'oldCardNoMasked', render: (v: string | null) => v ?? '—' },
    { title: t.newCard, dataIndex: 'newCardNoMasked', render: (v: string | null) => v ?? t.none },
    { title: t.expectedReady, key: 'ready', render: (_, row) => row.expectedReadyDate ?? (row.readyDateError ? (lang === 'en' ? row.readyDateError.messageEn : row.readyDateError.message) : t.none) },
    {
      title: t.actions, key: 'actions',
      render: (_, row) => (
        <Space onClick={(e) => e.stopPropagation()}>
          {row.status === 'delivered' && row.delivery.method === 'school' && voidable(row) && (
            <Button size="small" danger data-testid="application-void" onClick={() => setVoiding(row)}>{t.void}</Button>
          )}
          {row.status === 'delivered' && row.delivery.method === 'school' && sendHomeOnly(row) && (
            <Button size="small" type="primary" data-testid="application-send-home" onClick={() => setRedelivering(row)}>{t.sendHome}</Button>
          )}
          {row.status === 'delivered' && row.delivery.method === 'school' && !holderGone(row) && (
            <Button size="small" type="primary" data-testid="application-pickup" loading={pickup.isPending} onClick={() => pickup.mutate({ path: `/admin/fulfilment/applications/${row.id}/pickup` })}>{t.pickup}</Button>
          )}
          {row.status === 'returned_to_centre' && (
            <Button size="small" type="primary" data-testid="application-redeliver" onClick={() => setRedelivering(row)}>{t.redeliver}</Button>
          )}
        </Space>
      ),
    },
  ];

  const filters: SelectFilter[] = [
    { name: 'kind', placeholder: t.allKinds, options: (['replacement', 'sticker', 'new_card'] as const).map((k) => ({ value: k, label: kindLabel(t, k) })) },
    { name: 'status', placeholder: t.allStatuses, options: statuses.map((s) => ({ value: s, label: statusText(t, 'st', s) })), minWidth: 160, testId: 'application-status-select' },
  ];

  return (
    <>
      <ServerTable<Application>
        testId="applications-table"
        title={t.applications}
        path="/admin/fulfilment/applications"
        schoolFilter={operator}
        selectFilters={filters}
        emptyText={t.noRows}
        columns={columns}
        onRowClick={setShown}
      />
      <Drawer open={shown !== null} onClose={() => setShown(null)} title={t.progress} size={640} destroyOnHidden>
        {shown && (
          <>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t.kind}>{kindLabel(t, shown.kind)}</Descriptions.Item>
              {shown.kind === 'sticker' && <Descriptions.Item label={t.reason}>{label(shown.reasonLabel)}</Descriptions.Item>}
              <Descriptions.Item label={t.student}>{shown.studentNameMasked}<EnrolmentTag row={shown} t={t} /></Descriptions.Item>
              <Descriptions.Item label={t.school}>{shown.schoolName}</Descriptions.Item>
              <Descriptions.Item label={t.delivery}>{methodLabel(t, shown.delivery.method)} {shown.delivery.trackingNo ?? ''}</Descriptions.Item>
              <Descriptions.Item label={t.feeOrder}>{shown.feeOrder ? `${shown.feeOrder.orderNo} · ${shown.feeOrder.status}` : t.none}</Descriptions.Item>
              <Descriptions.Item label={t.expectedReady}>{shown.expectedReadyDate ?? t.none}</Descriptions.Item>
            </Descriptions>
            <Timeline style={{ marginTop: 24 }} items={shown.steps.map((s) => ({ content: `${label(s.label)} · ${formatBeijingTime(s.at, lang)}${s.note ? ` · ${lang === 'en' ? (s.noteEn ?? s.note) : s.note}` : ''}` }))} />
          </>
        )}
      </Drawer>
      {redelivering && <RedeliveryModal application={redelivering} onClose={() => setRedelivering(null)} />}
      {voiding && <VoidFirstCardModal application={voiding} onClose={() => setVoiding(null)} />}
    </>
  );
}
