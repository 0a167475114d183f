import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, InputNumber, Select, Space, Tag, Typography, type TableColumnsType } from 'antd';
import { useEffect, useState } from 'react';
import { errorText, fill, formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { ServerTable } from '../ServerTable.js';
import { postAndDownload } from './download.js';
import { confirmationMessages } from './confirmation-messages.js';
import { fulfilmentMessages, kindLabel, statusColors } from './messages.js';
import type { Batch, BatchDetail, FulfilmentSettings } from './types.js';
import { useFulfilmentAction } from './useAction.js';

/** The balance settlement window (days after pickup before the old card's balance moves). */
function SettlementSettings() {
  const t = useMessages(fulfilmentMessages);
  const api = useApi();
  const settings = useQuery({ queryKey: ['/admin/fulfilment/settings'], queryFn: ({ signal }) => api.get<FulfilmentSettings>('/admin/fulfilment/settings', {}, signal) });
  const [days, setDays] = useState<number | null>(null);
  useEffect(() => setDays(settings.data?.settlementWindowDays ?? null), [settings.data]);
  const save = useFulfilmentAction(() => t.done);
  return (
    <Card size="small" style={{ marginTop: 16 }}>
      <Space wrap>
        <span>{t.settlementWindow}</span>
        <InputNumber min={0} max={60} value={days} onChange={(v) => setDays(v)} data-testid="settlement-days" />
        <Button loading={save.isPending} disabled={days === null} onClick={() => save.mutate({ method: 'PUT', path: '/admin/fulfilment/settings', body: { settlementWindowDays: days } })}>{t.save}</Button>
        <Typography.Text type="secondary">{t.settlementHint}</Typography.Text>
      </Space>
    </Card>
  );
}

/** The two steps that cannot be taken back, and the applications each one moves. */
const irreversibleSteps = {
  produced: { from: 'in_production', title: 'confirmProducedTitle', note: 'confirmProducedNote' },
  dispatch: { from: 'produced', title: 'confirmDispatchTitle', note: 'confirmDispatchNote' },
} as const;
type IrreversibleStep = keyof typeof irreversibleSteps;

/** What a step will move: the cards, how many go to schools (and to how many schools) and how many go home. */
function stepSummary(detail: BatchDetail, step: IrreversibleStep) {
  const moved = detail.applications.filter((a) => a.status === irreversibleSteps[step].from);
  const toSchool = moved.filter((a) => a.delivery.method === 'school');
  return { count: moved.length, school: toSchool.length, schools: new Set(toSchool.map((a) => a.schoolId)).size, home: moved.length - toSchool.length };
}

/** Production batches (operators): create from paid, confirmed applications; export the printer's file; produced; dispatch. */
export function BatchesPage() {
  const t = useMessages(fulfilmentMessages);
  const { lang } = useLang();
  const api = useApi();
  const client = useQueryClient();
  const { message, modal } = App.useApp();
  const [kind, setKind] = useState<Batch['kind']>('replacement');
  const held = useMessages(confirmationMessages);
  // A batch holds back the applications of students without a photo: the toast says how many.
  const create = useFulfilmentAction<Batch & { heldWithoutPhoto: number }>((b) => (b.heldWithoutPhoto > 0 ? fill(held.batchCreatedHeld, { batchNo: b.batchNo, n: b.heldWithoutPhoto }) : fill(t.batchCreated, { batchNo: b.batchNo })));
  const act = useFulfilmentAction(() => t.done);
  const [asking, setAsking] = useState<string | null>(null);

  /**
   * 制卡完成 and 配送 cannot be taken back (配送 books a courier for every home parcel), so each asks
   * first, naming the batch, its cards and where they go, read fresh from the server.
   */
  const confirmStep = async (batch: Batch, step: IrreversibleStep) => {
    setAsking(batch.id);
    let detail: BatchDetail;
    try {
      detail = await api.get<BatchDetail>(`/admin/fulfilment/batches/${batch.id}`);
    } catch (error) {
      void message.error(errorText(error, lang));
      return;
    } finally {
      setAsking(null);
    }
    const summary = stepSummary(detail, step);
    const texts = irreversibleSteps[step];
    modal.confirm({
      title: fill(t[texts.title], { batchNo: batch.batchNo }),
      content: (
        <div data-testid="batch-confirm" data-step={step}>
          <div data-testid="batch-confirm-count">{fill(t.confirmCards, { count: summary.count })}</div>
          <div data-testid="batch-confirm-methods">{fill(t.confirmMethods, summary)}</div>
          <Typography.Text type="secondary">{t[texts.note]}</Typography.Text>
        </div>
      ),
      okText: step === 'produced' ? t.produced : t.dispatch,
      cancelText: t.cancel,
      okButtonProps: { 'data-testid': 'batch-confirm-ok' } as never,
      onOk: () => act.mutateAsync({ path: `/admin/fulfilment/batches/${batch.id}/${step}` }).catch(() => undefined),
    });
  };

  const exportFile = async (batch: Batch) => {
    try {
      await postAndDownload(api, `/admin/fulfilment/batches/${batch.id}/export`, `${batch.batchNo}.csv`);
      await client.invalidateQueries({ predicate: (q) => String(q.queryKey[0]).startsWith('/admin/fulfilment') });
    } catch (error) {
      void message.error(errorText(error, lang));
    }
  };

  const columns: TableColumnsType<Batch> = [
    { title: t.batchNo, dataIndex: 'batchNo' },
    { title: t.kind, dataIndex: 'kind', render: (k: Batch['kind']) => kindLabel(t, k) },
    { title: t.count, dataIndex: 'applicationCount' },
    { title: t.status, dataIndex: 'status', render: (_: unknown, row: Batch) => <Tag color={statusColors[row.status]}>{lang === 'en' ? row.statusLabel.en : row.statusLabel.zh}</Tag> },
    { title: t.batchCreatedAt, dataIndex: 'createdAt', render: (at: string) => formatBeijingTime(at, lang) },
    {
      title: t.actions, key: 'actions',
      render: (_, row) => (
        <Space>
          <Button size="small" data-testid="batch-export" onClick={() => void exportFile(row)}>{t.export}</Button>
          {row.status === 'exported' && <Button size="small" data-testid="batch-produced" loading={asking === row.id || act.isPending} onClick={() => void confirmStep(row, 'produced')}>{t.produced}</Button>}
          {row.status === 'produced' && <Button size="small" type="primary" data-testid="batch-dispatch" loading={asking === row.id || act.isPending} onClick={() => void confirmStep(row, 'dispatch')}>{t.dispatch}</Button>}
        </Space>
      ),
    },
  ];

  return (
    <>
      <ServerTable<Batch>
        testId="batches-table"
        title={t.batches}
        path="/admin/fulfilment/batches"
        emptyText={t.noRows}
        columns={columns}
        toolbar={
          <Space>
            <Select value={kind} onChange={setKind} options={(['replacement', 'sticker', 'new_card'] as const).map((k) => ({ value: k, label: kindLabel(t, k) }))} style={{ minWidth: 120 }} />
            <Button type="primary" data-testid="batch-create" loading={create.isPending} onClick={() => create.mutate({ path: '/admin/fulfilment/batches', body: { kind } })}>{t.newBatch}</Button>
          </Space>
        }
      />
      <SettlementSettings />
    </>
  );
}
