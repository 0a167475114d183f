import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, ErrorBlock, Input, List, SearchBar, Skeleton, Tag, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import { useState } from 'react';
import { Link } from 'react-router';
import type { z } from 'zod';
import { electricityFenPerKwh } from '../../../../src/domain/campus-payments.js';
import type { electricityPurchaseSchema, roomSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { formatBeijingTime, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useSession } from '../../../shared/session.js';
import { LoadFailed } from '../pages/LoadFailed.js';
import { formatYuan } from '../payments/format.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, fill, useReportFailure } from '../ui/text.js';
import { campusMessages } from './messages.js';
import { campusPaths } from './paths.js';
import './campus.css';

type Room = z.infer<typeof roomSchema>;
type Purchase = z.infer<typeof electricityPurchaseSchema>;
const presetsFen = [2_000, 5_000, 10_000];
const meterColors = { queued: 'primary', delivered: 'success', failed: 'danger' } as const;

/**
 * 宿舍电费 (seed 004): pick the dorm room, an amount, the query password; the energy goes to the
 * room's meter and the money is not refunded (the page says so before paying). Below: the
 * student's own payments and whether each reached the meter.
 */
export function ElectricityPage() {
  const t = useMessages(campusMessages);
  const api = useApi();
  const { token } = useSession();
  const history = useQuery({ queryKey: ['campus', 'electricity', token], queryFn: async ({ signal }) => (await api.get<{ items: Purchase[] }>('/campus/electricity', undefined, signal)).items, retry: false });

  let body;
  if (history.isPending) body = <Skeleton.Paragraph lineCount={6} animated />;
  else if (history.isError && errorCode(history.error) === 'CAMPUS_CARD_NOT_IN_USE') body = <ErrorBlock status="empty" title={t.noCampusCard} description={t.noCampusCardHint} />;
  else if (history.isError) body = <LoadFailed error={history.error} onRetry={() => void history.refetch()} />;
  else {
    body = (
      <>
        <p className="muted" style={{ fontSize: 13 }}>{t.electricityIntro}</p>
        <PayForm />
        <History items={history.data} />
      </>
    );
  }
  return <SubPage title={t.electricityTitle} backTo="/">{body}</SubPage>;
}

function RoomPicker({ onChosen }: { onChosen(room: Room): void }) {
  const t = useMessages(campusMessages);
  const api = useApi();
  const { token } = useSession();
  const [q, setQ] = useState('');
  const rooms = useQuery({
    queryKey: ['campus', 'rooms', q.trim(), token],
    queryFn: async ({ signal }) => (await api.get<{ items: Room[] }>('/campus/rooms', { q: q.trim() }, signal)).items,
    placeholderData: (previous) => previous,
  });
  return (
    <>
      <SearchBar placeholder={t.roomSearch} value={q} onChange={setQ} data-testid="room-search" />
      {rooms.isPending ? (
        <Skeleton.Paragraph lineCount={3} animated />
      ) : rooms.isError ? (
        <LoadFailed error={rooms.error} onRetry={() => void rooms.refetch()} />
      ) : rooms.data.length === 0 ? (
        <ErrorBlock status="empty" title={t.noRooms} data-testid="room-empty" />
      ) : (
        <List data-testid="room-list">
          {rooms.data.map((room) => (
            <List.Item key={room.id} arrow onClick={() => onChosen(room)} data-testid="room-option">{room.building} {room.roomNo}</List.Item>
          ))}
        </List>
      )}
    </>
  );
}

function PayForm() {
  const t = useMessages(campusMessages);
  const api = useApi();
  const reportFailure = useReportFailure();
  const queryClient = useQueryClient();
  const [room, setRoom] = useState<Room | null>(null);
  const [amountFen, setAmountFen] = useState(presetsFen[1]!);
  const [password, setPassword] = useState('');
  const pay = useIdempotentMutation({
    mutationFn: (body: { roomId: string; amountFen: number; queryPassword: string }, idempotencyKey) => api.post<Purchase>('/campus/electricity', body, { idempotencyKey }),
    onSuccess: async (done) => {
      Toast.show({ icon: 'success', content: fill(t.electricityDone, { amount: formatYuan(done.amountFen), kwh: done.kwh }), duration: 3000 });
      setPassword('');
      await queryClient.invalidateQueries({ queryKey: ['campus', 'electricity'] });
    },
    onError: (error) => reportFailure(error),
  });
  if (!room) return <div className="section" data-testid="electricity-room-step"><RoomPicker onChosen={setRoom} /></div>;
  // Not refundable: said before the money moves, not only after.
  const confirmAndPay = async () => {
    const ok = await Dialog.confirm({ content: fill(t.electricityConfirm, { amount: formatYuan(amountFen), room: `${room.building} ${room.roomNo}` }), confirmText: t.electricityConfirmOk, cancelText: t.cancel });
    if (ok) pay.mutate({ roomId: room.id, amountFen, queryPassword: password });
  };
  const passwordOk = /^\d{6}$/.test(password);
  return (
    <div className="section" data-testid="electricity-form">
      <List mode="card">
        <List.Item title={t.room} extra={<Button size="mini" fill="none" color="primary" onClick={() => setRoom(null)} data-testid="electricity-change-room">{t.changeRoom}</Button>}>
          <span data-testid="electricity-room">{room.building} {room.roomNo}</span>
        </List.Item>
        <List.Item title={t.amount} description={fill(t.priceHint, { price: formatYuan(electricityFenPerKwh) })}>
          <SingleSelector columns={3} value={[amountFen]} options={presetsFen.map((fen) => ({ value: fen, label: formatYuan(fen) }))} onChange={([fen]) => fen && setAmountFen(fen)} data-testid="electricity-amounts" />
        </List.Item>
        <List.Item title={t.queryPassword}>
          <Input type="password" inputMode="numeric" maxLength={6} placeholder={t.queryPasswordPlaceholder} value={password} onChange={setPassword} data-testid="electricity-password" />
        </List.Item>
      </List>
      <Button block color="primary" size="large" disabled={!passwordOk} loading={pay.isPending} onClick={() => void confirmAndPay()} data-testid="electricity-submit">
        {fill(t.electricitySubmit, { amount: formatYuan(amountFen) })}
      </Button>
    </div>
  );
}

function History({ items }: { items: Purchase[] }) {
  const t = useMessages(campusMessages);
  const { lang } = useLang();
  return (
    <List header={t.electricityHistory} mode="card" data-testid="electricity-history">
      {items.length === 0 ? (
        <List.Item><span className="muted">{t.noElectricity}</span></List.Item>
      ) : (
        items.map((p) => (
          <List.Item
            key={p.id}
            description={
              <>
                {p.room.building} {p.room.roomNo} · {formatBeijingTime(p.createdAt, lang)}
                {p.meterStatus === 'failed' && (
                  <div data-testid="electricity-meter-failed">
                    {t.meterFailedHint} <Link to={campusPaths.repairs}>{t.repairsEntry}</Link>
                  </div>
                )}
              </>
            }
            extra={<Tag color={meterColors[p.meterStatus]} fill="outline" data-testid="electricity-meter-status" data-status={p.meterStatus}>{t[`meter_${p.meterStatus}`]}</Tag>}
            data-testid="electricity-item"
          >
            {formatYuan(p.amountFen)} · {fill(t.kwhUnit, { kwh: p.kwh })}
          </List.Item>
        ))
      )}
    </List>
  );
}
