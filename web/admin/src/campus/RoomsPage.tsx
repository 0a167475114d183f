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

/** Names typed as tags: trimmed, blanks dropped. */
const names = (tags: string[] | undefined) => (tags ?? []).map((c) => c.trim()).filter(Boolean);

/** Colleges and majors typed as tags (Enter, or a comma or 、 between them). */
function NamesInput({ placeholder, testId, ...props }: { placeholder: string; testId: string; value?: string[]; onChange?: (v: string[]) => void; size?: 'small' }) {
  return <Select mode="tags" open={false} suffixIcon={null} tokenSeparators={[',', '，', '、']} placeholder={placeholder} style={{ minWidth: 260 }} data-testid={testId} {...props} />;
}

/**
 * A venue may be kept for named 院系 (colleges) and named 专业 (majors): 琴房 for 音乐学院 and the
 * music majors of 高等职业教育与继续教育学院 (seed 004). With neither it is open to the whole university.
 */
function Venues({ schoolId }: { schoolId: string }) {
  const t = useMessages(campusAdminMessages);
  const { lang } = useLang();
  const [form] = Form.useForm<{ kind: Venue['kind']; name: string; colleges?: string[]; majors?: string[] }>();
  const venues = useSchoolList<Venue>('/admin/campus/venues', schoolId);
  const [changing, setChanging] = useState<string | null>(null);
  const add = useAdd('/admin/campus/venues', () => form.resetFields(['name', 'colleges', 'majors']));
  const kindLabels = { piano_room: t.kind_piano_room, sports_court: t.kind_sports_court };
  return (
    <Card title={t.venues}>
      <Typography.Paragraph type="secondary">{t.venuesNote}</Typography.Paragraph>
      <Form form={form} layout="inline" style={{ marginBottom: 16 }} initialValues={{ kind: 'piano_room' }} onFinish={(v) => add.mutate({ schoolId, kind: v.kind, name: v.name.trim(), colleges: names(v.colleges), majors: names(v.majors) })} data-testid="venue-form">
        <Form.Item name="kind"><Segmented options={Object.entries(kindLabels).map(([value, label]) => ({ value, label }))} data-testid="venue-kind" /></Form.Item>
        <Form.Item name="name" rules={[{ required: true, whitespace: true, message: t.required }]}><Input placeholder={t.venueName} maxLength={32} data-testid="venue-name" /></Form.Item>
        <Form.Item name="colleges" rules={[{ type: 'array', max: 8, message: t.collegesMax }]}>
          <NamesInput placeholder={t.collegesPlaceholder} testId="venue-colleges" />
        </Form.Item>
        <Form.Item name="majors" rules={[{ type: 'array', max: 16, message: t.majorsMax }]}>
          <NamesInput placeholder={t.majorsPlaceholder} testId="venue-majors" />
        </Form.Item>
        <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={add.isPending} data-testid="venue-add">{t.add}</Button>
      </Form>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>{t.audienceRule}</Typography.Paragraph>
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
          { title: t.venueAudience, key: 'audience', render: (_, venue) => <AudienceCell key={`${venue.id}:${venue.colleges.join()}:${venue.majors.join()}`} venue={venue} editing={changing === venue.id} onClose={() => setChanging(null)} /> },
          { title: t.actions, key: 'actions', render: (_, venue) => changing !== venue.id && <Button size="small" onClick={() => setChanging(venue.id)} data-testid="venue-change-audience">{t.changeAudience}</Button> },
        ]}
      />
    </Card>
  );
}

/** Whom the venue is kept for, and (修改开放范围) its colleges and majors edited in the row, like 更换电表. */
function AudienceCell({ venue, editing, onClose }: { venue: Venue; editing: boolean; onClose: () => void }) {
  const t = useMessages(campusAdminMessages);
  const { lang } = useLang();
  const admin = useAdminApi();
  const client = useQueryClient();
  const { message } = App.useApp();
  const [colleges, setColleges] = useState(venue.colleges);
  const [majors, setMajors] = useState(venue.majors);
  const change = useIdempotentMutation({
    mutationFn: (body: { colleges: string[]; majors: string[] }, idempotencyKey) => admin.mutate<Venue>('PUT', `/admin/campus/venues/${venue.id}/audience`, body, idempotencyKey),
    onSuccess: async () => {
      void message.success(t.audienceChanged);
      onClose();
      await client.invalidateQueries({ queryKey: ['/admin/campus/venues'] });
    },
  });
  if (!editing) {
    if (venue.colleges.length === 0 && venue.majors.length === 0) return <span data-testid="venue-audience">{t.wholeUniversity}</span>;
    return (
      <Space orientation="vertical" size={2} data-testid="venue-audience">
        {venue.colleges.length > 0 && <span>{t.audienceColleges}：{venue.colleges.map((c) => <Tag key={c} color="blue">{c}</Tag>)}</span>}
        {venue.majors.length > 0 && <span>{t.audienceMajors}：{venue.majors.map((m) => <Tag key={m} color="purple">{m}</Tag>)}</span>}
      </Space>
    );
  }
  const cancel = () => {
    setColleges(venue.colleges);
    setMajors(venue.majors);
    change.reset();
    onClose();
  };
  const next = { colleges: [...new Set(names(colleges))], majors: [...new Set(names(majors))] };
  const tooMany = next.colleges.length > 8 || next.majors.length > 16;
  return (
    <Space orientation="vertical" size={4}>
      <NamesInput size="small" value={colleges} onChange={setColleges} placeholder={t.collegesPlaceholder} testId="venue-edit-colleges" />
      <NamesInput size="small" value={majors} onChange={setMajors} placeholder={t.majorsPlaceholder} testId="venue-edit-majors" />
      <Space>
        <Button size="small" type="primary" disabled={tooMany} loading={change.isPending} onClick={() => change.mutate(next)} data-testid="venue-save-audience">{t.save}</Button>
        <Button size="small" onClick={cancel}>{t.cancel}</Button>
      </Space>
      <Typography.Text type={change.isError || tooMany ? 'danger' : 'secondary'} style={{ fontSize: 12 }} data-testid="venue-audience-help">
        {change.isError ? errorText(change.error, lang) : tooMany ? `${t.collegesMax}；${t.majorsMax}` : t.audienceHelp}
      </Typography.Text>
    </Space>
  );
}
