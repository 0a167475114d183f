import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, ErrorBlock, Input, List, Skeleton, Tag, TextArea, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import type { z } from 'zod';
import { repairCategories, type RepairCategory } from '../../../../src/domain/campus-payments.js';
import type { repairSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, fill, useErrorText } from '../ui/text.js';
import { campusMessages } from './messages.js';
import './campus.css';

type Repair = z.infer<typeof repairSchema>;
const repairsKey = ['campus', 'repairs'] as const;
const tone = { submitted: 'warning', accepted: 'primary', done: 'success', cancelled: 'default' } as const;

/**
 * 网上报修 (seed 004): report a fault on campus and follow it: waiting, in hand, done (with what
 * staff wrote), or withdrawn while still waiting.
 */
export function RepairsPage() {
  const t = useMessages(campusMessages);
  const api = useApi();
  const { token } = useSession();
  const repairs = useQuery({ queryKey: [...repairsKey, token], queryFn: async ({ signal }) => (await api.get<{ items: Repair[] }>('/campus/repairs', undefined, signal)).items });

  let list;
  if (repairs.isPending) list = <Skeleton.Paragraph lineCount={4} animated />;
  else if (repairs.isError) list = <LoadFailed error={repairs.error} onRetry={() => void repairs.refetch()} />;
  else list = <RepairList items={repairs.data} />;
  return (
    <SubPage title={t.repairsTitle} backTo="/">
      <p className="muted" style={{ fontSize: 13 }}>{t.repairsIntro}</p>
      <ReportForm />
      {list}
    </SubPage>
  );
}

function ReportForm() {
  const t = useMessages(campusMessages);
  const api = useApi();
  const describe = useErrorText();
  const queryClient = useQueryClient();
  const [category, setCategory] = useState<RepairCategory | null>(null);
  const [location, setLocation] = useState('');
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const report = useIdempotentMutation({
    mutationFn: (body: { category: RepairCategory; location: string; description: string }, idempotencyKey) => api.post<Repair>('/campus/repairs', body, { idempotencyKey }),
    onSuccess: async () => {
      Toast.show({ icon: 'success', content: t.repairSubmitted });
      setCategory(null);
      setLocation('');
      setDescription('');
      setTouched(false);
      await queryClient.invalidateQueries({ queryKey: repairsKey });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: errorCode(error) === 'CAMPUS_CARD_NOT_IN_USE' ? t.noCampusCard : describe(error) }),
  });
  const complete = category !== null && location.trim() !== '' && description.trim() !== '';
  const submit = () => {
    setTouched(true);
    if (complete) report.mutate({ category: category!, location: location.trim(), description: description.trim() });
  };
  return (
    <div className="section" data-testid="repair-form">
      <List mode="card">
        <List.Item title={t.repairCategory}>
          <SingleSelector columns={3} value={category ? [category] : []} options={repairCategories.map((c) => ({ value: c, label: t[`category_${c}`] }))} onChange={([c]) => setCategory(c ?? null)} data-testid="repair-category" />
        </List.Item>
        <List.Item title={t.repairLocation}>
          <Input maxLength={64} placeholder={t.repairLocationPlaceholder} value={location} onChange={setLocation} data-testid="repair-location" />
        </List.Item>
        <List.Item title={t.repairDescription} description={touched && !complete ? <span className="form-error-text" data-testid="repair-error">{t.repairRequired}</span> : undefined}>
          <TextArea maxLength={500} rows={3} showCount placeholder={t.repairDescriptionPlaceholder} value={description} onChange={setDescription} data-testid="repair-description" />
        </List.Item>
      </List>
      <Button block color="primary" size="large" loading={report.isPending} onClick={submit} data-testid="repair-submit">{t.repairSubmit}</Button>
    </div>
  );
}

function RepairList({ items }: { items: Repair[] }) {
  const t = useMessages(campusMessages);
  const { lang } = useLang();
  const api = useApi();
  const describe = useErrorText();
  const queryClient = useQueryClient();
  const cancel = useIdempotentMutation({
    mutationFn: (id: string, idempotencyKey) => api.post<Repair>(`/campus/repairs/${id}/cancel`, undefined, { idempotencyKey }),
    onSuccess: async () => {
      Toast.show({ icon: 'success', content: t.repairCancelled });
      await queryClient.invalidateQueries({ queryKey: repairsKey });
    },
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
  });
  if (items.length === 0) return <ErrorBlock status="empty" title={t.noRepairs} data-testid="repairs-empty" />;
  return (
    <List header={t.myRepairs} mode="card" data-testid="repairs">
      {items.map((r) => (
        <List.Item
          key={r.id}
          data-testid="repair-item"
          data-status={r.status}
          extra={<Tag color={tone[r.status]} fill="outline">{t[`repair_${r.status}`]}</Tag>}
          description={
            <>
              <div>{r.location} · {formatBeijingTime(r.createdAt, lang)}</div>
              {r.staffNote && <div data-testid="repair-note">{fill(t.staffNote, { note: r.staffNote })}</div>}
              {r.status === 'submitted' && (
                <Button size="mini" fill="outline" loading={cancel.isPending} onClick={() => cancel.mutate(r.id)} style={{ marginTop: 4 }} data-testid="repair-cancel">{t.repairCancel}</Button>
              )}
            </>
          }
        >
          {t[`category_${r.category}`]} · {r.description}
        </List.Item>
      ))}
    </List>
  );
}
