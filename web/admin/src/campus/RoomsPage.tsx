import { PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Segmented, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import type { z } from 'zod';
import type { adminRoomSchema, venueSchema } from '../../../../src/modules/campus/campus.schemas.js';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi } from '../../../shared/session.js';
import { useAdminApi } from '../adminApi.js';
import { campusAdminMessages } from './messages.js';
import { SchoolScoped } from './SchoolScoped.js';
import { SectionTable } from '../SectionTable.js';

type Room = z.infer<typeof adminRoomSchema>;
type Venue = z.infer<typeof venueSchema>;

/**
 * 宿舍与琴房: a university's dorm rooms with their electricity meters (宿舍电费) and its practice
 * rooms (琴房预订). A card manager works on their own school; an operator picks one.
 */
export function RoomsPage() {
  return (
    <SchoolScoped>
      {(schoolId) => (
        <>
          <Rooms schoolId={schoolId} />
          <Venues schoolId={schoolId} />
        </>
      )}
    </SchoolScoped>
  );
}

/** A list of the school's things and the form that adds one. */
function useSchoolList<T>(path: string, schoolId: string) {
  const api = useApi();
  return useQuery({ queryKey: [path, schoolId], queryFn: async ({ signal }) => (await api.get<{ items: T[] }>(path, { schoolId }, signal)).items });
}

function useAdd(path: string, onDone: () => void) {
  const t = useMessages(campusAdminMessages);
  const admin = useAdminApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  return useIdempotentMutation({
    mutationFn: (body: Record<string, string | string[]>, idempotencyKey) => admin.mutate<unknown>('POST', path, body, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.added);
      onDone();
      await client.invalidateQueries({ queryKey: [path] });
    },
  });
}

function Rooms({ schoolId }: { schoolId: string }) {
  const t = useMessages(campusAdminMessages);
  const { lang } = useLang();
  const [form] = Form.useForm<{ building: string; roomNo: string; meterNo: string }>();
  const rooms = useSchoolList<Room>('/admin/campus/rooms', schoolId);
  const [changing, setChanging] = useState<string | null>(null);
  const add = useAdd('/admin/campus/rooms', () => form.resetFields(['roomNo', 'meterNo']));
  return (
    <Card title={t.rooms}>
      <Typography.Paragraph type="secondary">{t.roomsNote}</Typography.Paragraph>
      <Form form={form} layout="inline" style={{ marginBottom: 16 }} onFinish={(v) => add.mutate({ schoolId, building: v.building.trim(), roomNo: v.roomNo.trim(), meterNo: v.meterNo.trim() })} data-testid="room-form">
        <Form.Item name="building" rules={[{ required: true, whitespace: true, message: t.required }]}><Input placeholder={t.building} maxLength={32} data-testid="room-building" /></Form.Item>
        <Form.Item name="roomNo" rules={[{ required: true, pattern: /^\s*[A-Za-z0-9-]{1,16}\s*$/, message: t.roomNo }]}><Input placeholder={t.roomNo} maxLength={16} data-testid="room-no" /></Form.Item>
        <Form.Item name="meterNo" rules={[{ required: true, pattern: /^\s*[A-Za-z0-9-]{4,32}\s*$/, message: t.meterNo }]}><Input placeholder={t.meterNo} maxLength={32} data-testid="room-meter" /></Form.Item>
        <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={add.isPending} data-testid="room-add">{t.add}</Button>
      </Form>
      {add.isError && <Alert type="error" showIcon title={errorText(add.error, lang)} style={{ marginBottom: 16 }} data-testid="room-error" />}
      <SectionTable<Room>
        data-testid="rooms-table"
        rowKey="id"
        load={rooms}
        rows={rooms.data}
        emptyText={t.noRooms}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        columns={[
          { title: t.building, dataIndex: 'building' },
          { title: t.roomNo, dataIndex: 'roomNo' },
          { title: t.meterNo, key: 'meterNo', render: (_, room) => <MeterCell key={`${room.id}:${room.meterNo}`} room={room} editing={changing === room.id} onClose={() => setChanging(null)} /> },
          { title: t.actions, key: 'actions', render: (_, room) => changing !== room.id && <Button size="small" onClick={() => setChanging(room.id)} data-testid="room-change-meter">{t.changeMeter}</Button> },
        ]}
      />
    </Card>
  );
}

/**
 * 更换电表 in the room's row: the new number and 保存. Inline rather than in a dialog: a Modal here
 * made the bundler split antd into chunks that import each other (see noChunkCycles).
 */
function MeterCell({ room, editing, onClose }: { room: Room; editing: boolean; onClose: () => void }) {
  const t = useMessages(campusAdminMessages);
  const { lang } = useLang();
  const admin = useAdminApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [meterNo, setMeterNo] = useState(room.meterNo);
  const change = useIdempotentMutation({
    mutationFn: (next: string, idempotencyKey) => admin.mutate<Room>('PUT', `/admin/campus/rooms/${room.id}/meter`, { meterNo: next }, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.meterChanged);
      onClose();
      // The electricity list shows where undelivered purchases go: the room's meter, now the new one.
      await Promise.all(['/admin/campus/rooms', '/admin/campus/electricity'].map((path) => client.invalidateQueries({ queryKey: [path] })));
    },
  });
  if (!editing) return <span className="mono">{room.meterNo}</span>;
  // Opened again later, it starts from the room's number, without the last error.
  const cancel = () => {
    setMeterNo(room.meterNo);
    change.reset();
    onClose();
  };
  const valid = /^[A-Za-z0-9-]{4,32}$/.test(meterNo.trim());
  return (
    <Space orientation="vertical" size={4}>
      <Space.Compact>
        <Input size="small" value={meterNo} maxLength={32} placeholder={t.newMeterNo} status={valid ? undefined : 'error'} onChange={(e) => setMeterNo(e.target.value)} data-testid="room-new-meter" />
        <Button size="small" type="primary" disabled={!valid} loading={change.isPending} onClick={() => change.mutate(meterNo.trim())} data-testid="room-save-meter">{t.save}</Button>
        <Button size="small" onClick={cancel}>{t.cancel}</Button>
      </Space.Compact>
      <Typography.Text type={change.isError ? 'danger' : 'secondary'} style={{ fontSize: 12 }} data-testid="room-meter-help">
        {change.isError ? errorText(change.error, lang) : t.changeMeterHelp}
      </Typography.Text>
    </Space>
  );
}

function Venues({ schoolId }: { schoolId: string }) {
  const t = useMessages(campusAdminMessages);
  const { lang } = useLang();
  const [form] = Form.useForm<{ kind: Venue['kind']; name: string; colleges?: string[] }>();
  const venues = useSchoolList<Venue>('/admin/campus/venues', schoolId);
  const add = useAdd('/admin/campus/venues', () => form.resetFields(['name', 'colleges']));
  const kindLabels = { piano_room: t.kind_piano_room, sports_court: t.kind_sports_court };
  return (
    <Card title={t.venues}>
      <Typography.Paragraph type="secondary">{t.venuesNote}</Typography.Paragraph>
      <Form form={form} layout="inline" style={{ marginBottom: 16 }} initialValues={{ kind: 'piano_room' }} onFinish={(v) => add.mutate({ schoolId, kind: v.kind, name: v.name.trim(), colleges: (v.colleges ?? []).map((c) => c.trim()).filter(Boolean) })} data-testid="venue-form">
        <Form.Item name="kind"><Segmented options={Object.entries(kindLabels).map(([value, label]) => ({ value, label }))} data-testid="venue-kind" /></Form.Item>
        <Form.Item name="name" rules={[{ required: true, whitespace: true, message: t.required }]}><Input placeholder={t.venueName} maxLength={32} data-testid="venue-name" /></Form.Item>
        <Form.Item name="colleges" rules={[{ type: 'array', max: 8, message: t.collegesMax }]}>
          <Select mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', '，', '、']} placeholder={t.collegesPlaceholder} style={{ minWidth: 260 }} data-testid="venue-colleges" />
        </Form.Item>
        <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={add.isPending} data-testid="venue-add">{t.add}</Button>
      </Form>
      {add.isError && <Alert type="error" showIcon title={errorText(add.error, lang)} style={{ marginBottom: 16 }} data-testid="venue-error" />}
      <SectionTable<Venue>
        data-testid="venues-table"
        rowKey="id"
        load={venues}
        rows={venues.data}
        emptyText={t.noVenues}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        columns={[
          { title: t.venueKind, dataIndex: 'kind', render: (kind: Venue['kind']) => kindLabels[kind] },
          { title: t.venueName, dataIndex: 'name' },
          { title: t.venueColleges, dataIndex: 'colleges', render: (colleges: string[]) => (colleges.length ? colleges.map((c) => <Tag key={c}>{c}</Tag>) : t.wholeUniversity) },
        ]}
      />
    </Card>
  );
}
