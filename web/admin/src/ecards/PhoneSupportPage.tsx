import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { Alert, App, Button, Card, Empty, Form, Input, Popconfirm, Select, Skeleton, Space, Switch, Table, Tag, Typography } from 'antd';
import { useMemo, useState, type HTMLAttributes } from 'react';
import { errorText, fill, useLang, useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { ecardMessages } from './messages.js';
import { phoneBrands, requirementKeys, versionPattern, type Eligibility, type PhoneDescription, type PhoneModel, type PhoneSupport, type PhoneSupportChange, type RequirementKey } from './types.js';

const supportKey = ['ecards', 'phone-support'] as const;

type T = Record<keyof (typeof ecardMessages)['en'], string>;
const label = (t: T, prefix: string, value: string) => (t as Record<string, string>)[`${prefix}_${value}`] ?? value;

/**
 * 电子卡支持机型: the minimum versions and the model list behind the e-card phone check (seed 003,
 * kept as data, `PUT /ecards/phone-support`), and a phone check against them. Operators only (App.tsx).
 */
export function PhoneSupportPage() {
  const t = useMessages(ecardMessages);
  const { lang } = useLang();
  const api = useApi();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const { message } = App.useApp();
  const support = useQuery({ queryKey: supportKey, queryFn: ({ signal }) => api.get<PhoneSupport>('/ecards/phone-support', undefined, signal) });
  const change = useIdempotentMutation({
    mutationFn: (body: PhoneSupportChange, idempotencyKey) => admin.mutate<PhoneSupport>('PUT', '/ecards/phone-support', body, idempotencyKey),
    onSuccess: (next) => {
      queryClient.setQueryData(supportKey, next);
      void message.success(t.saved);
    },
  });

  if (support.isPending) return <Card title={t.phoneSupport}><Skeleton active data-testid="phone-support-loading" /></Card>;
  if (support.isError) return <Card title={t.phoneSupport}><LoadError error={support.error} onRetry={() => void support.refetch()} /></Card>;

  return (
    <Space orientation="vertical" size={16} style={{ width: '100%' }}>
      <Card title={t.phoneSupport}>
        <Typography.Paragraph type="secondary">{t.phoneSupportNote}</Typography.Paragraph>
        {change.isError && <Alert type="error" showIcon title={errorText(change.error, lang)} style={{ marginBottom: 16 }} data-testid="phone-support-error" />}
        <Requirements support={support.data} saving={change.isPending} onSave={(key, minVersion) => change.mutateAsync({ requirements: { [key]: minVersion } })} />
      </Card>
      <Models support={support.data} saving={change.isPending} onChange={(body) => change.mutateAsync(body)} />
      <PhoneCheck />
    </Space>
  );
}

function Requirements({ support, saving, onSave }: { support: PhoneSupport; saving: boolean; onSave: (key: RequirementKey, minVersion: string) => Promise<unknown> }) {
  const t = useMessages(ecardMessages);
  const [editing, setEditing] = useState<RequirementKey | null>(null);
  const [draft, setDraft] = useState('');
  const valid = versionPattern.test(draft.trim());
  const save = async (key: RequirementKey) => {
    if (!valid) return;
    await onSave(key, draft.trim()).then(() => setEditing(null), () => undefined);
  };
  return (
    <Table<{ key: RequirementKey; minVersion: string }>
      data-testid="phone-requirements"
      rowKey="key"
      size="small"
      pagination={false}
      dataSource={requirementKeys.map((key) => ({ key, minVersion: support.requirements[key] }))}
      onRow={(row) => ({ 'data-testid': `requirement-${row.key}` }) as HTMLAttributes<HTMLElement>}
      columns={[
        { title: t.requirementKey, dataIndex: 'key', render: (key: RequirementKey) => label(t, 'req', key) },
        {
          title: t.minVersion,
          dataIndex: 'minVersion',
          render: (value: string, row) =>
            editing === row.key ? (
              <Space orientation="vertical" size={2}>
                <Input
                  autoFocus
                  value={draft}
                  status={valid ? undefined : 'error'}
                  onChange={(e) => setDraft(e.target.value)}
                  onPressEnter={() => void save(row.key)}
                  style={{ width: 180 }}
                  data-testid={`requirement-input-${row.key}`}
                />
                {!valid && <Typography.Text type="danger">{draft.trim() ? t.versionFormat : t.required}</Typography.Text>}
              </Space>
            ) : (
              <Typography.Text code data-testid={`requirement-value-${row.key}`}>{value}</Typography.Text>
            ),
        },
        {
          title: '',
          width: 180,
          render: (_: unknown, row) =>
            editing === row.key ? (
              <Space>
                <Button type="primary" size="small" loading={saving} disabled={!valid} onClick={() => void save(row.key)} data-testid={`requirement-save-${row.key}`}>{t.save}</Button>
                <Button size="small" onClick={() => setEditing(null)}>{t.cancel}</Button>
              </Space>
            ) : (
              <Button size="small" icon={<EditOutlined />} disabled={editing !== null} onClick={() => { setEditing(row.key); setDraft(row.minVersion); }} data-testid={`requirement-edit-${row.key}`}>{t.edit}</Button>
            ),
        },
      ]}
    />
  );
}

interface NewModel {
  brand: PhoneModel['brand'];
  name: string;
  series: boolean;
}

function Models({ support, saving, onChange }: { support: PhoneSupport; saving: boolean; onChange: (body: PhoneSupportChange) => Promise<unknown> }) {
  const t = useMessages(ecardMessages);
  const [filter, setFilter] = useState('');
  const [form] = Form.useForm<NewModel>();
  const shown = useMemo(() => {
    const q = filter.trim().toLowerCase();
    return q ? support.models.filter((m) => m.name.toLowerCase().includes(q) || label(t, 'brand', m.brand).toLowerCase().includes(q)) : support.models;
  }, [filter, support.models, t]);
  return (
    <Card title={t.models} extra={<Typography.Text type="secondary">{fill(t.modelCount, { n: support.models.length })}</Typography.Text>}>
      <Form<NewModel>
        form={form}
        layout="inline"
        initialValues={{ brand: 'huawei', series: false }}
        onFinish={(values) => void onChange({ addModels: [{ ...values, name: values.name.trim() }] }).then(() => form.resetFields(['name']), () => undefined)}
        style={{ marginBottom: 16, rowGap: 8 }}
        data-testid="model-add-form"
      >
        <Form.Item name="brand" label={t.brand}>
          <Select style={{ width: 120 }} options={phoneBrands.map((b) => ({ value: b, label: label(t, 'brand', b) }))} />
        </Form.Item>
        <Form.Item name="name" label={t.modelName} rules={[{ required: true, whitespace: true, message: t.required }, { max: 60 }]}>
          <Input style={{ width: 200 }} data-testid="model-name" />
        </Form.Item>
        <Form.Item name="series" label={t.series} valuePropName="checked" tooltip={t.seriesHint}>
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" icon={<PlusOutlined />} loading={saving} data-testid="model-add">{t.addModel}</Button>
      </Form>
      <Input.Search allowClear placeholder={t.filterModels} onChange={(e) => setFilter(e.target.value)} style={{ maxWidth: 280, marginBottom: 12 }} data-testid="model-filter" />
      <Table<PhoneModel>
        data-testid="phone-models"
        rowKey="id"
        size="small"
        dataSource={shown}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t.noModels} /> }}
        columns={[
          { title: t.brand, dataIndex: 'brand', width: 100, render: (b: string) => label(t, 'brand', b) },
          { title: t.modelName, dataIndex: 'name' },
          { title: t.series, dataIndex: 'series', width: 110, render: (s: boolean) => (s ? <Tag color="blue">{t.isSeries}</Tag> : <Tag>{t.single}</Tag>) },
          {
            title: '',
            width: 90,
            render: (_: unknown, row) => (
              <Popconfirm title={t.removeConfirm} onConfirm={() => onChange({ removeModelIds: [row.id] })} okButtonProps={{ danger: true }}>
                <Button size="small" danger icon={<DeleteOutlined />}>{t.remove}</Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </Card>
  );
}

interface CheckForm extends Omit<PhoneDescription, 'walletVersion' | 'xiaomiChannel'> {
  walletVersion?: string;
  xiaomiChannel?: 'stable' | 'dev';
}

function PhoneCheck() {
  const t = useMessages(ecardMessages);
  const { lang } = useLang();
  const api = useApi();
  const [form] = Form.useForm<CheckForm>();
  const check = useMutation({
    mutationFn: (phone: CheckForm) => api.post<Eligibility>('/ecards/phone-check', { ...phone, walletVersion: phone.walletVersion?.trim() || null, xiaomiChannel: phone.xiaomiChannel ?? null }),
  });
  const result = check.data;
  return (
    <Card title={t.phoneCheck}>
      <Typography.Paragraph type="secondary">{t.phoneCheckNote}</Typography.Paragraph>
      <Form<CheckForm>
        form={form}
        layout="inline"
        style={{ rowGap: 8, marginBottom: 16 }}
        initialValues={{ brand: 'huawei', os: 'harmonyos', nfcEnabled: true }}
        onFinish={(values) => check.mutate(values)}
        data-testid="phone-check-form"
      >
        <Form.Item name="brand" label={t.brand}>
          <Select style={{ width: 110 }} options={phoneBrands.map((b) => ({ value: b, label: label(t, 'brand', b) }))} data-testid="check-brand" />
        </Form.Item>
        <Form.Item name="model" label={t.modelName} rules={[{ required: true, whitespace: true, message: t.required }]}>
          <Input style={{ width: 180 }} data-testid="check-model" />
        </Form.Item>
        <Form.Item name="os" label={t.os}>
          <Select style={{ width: 120 }} options={[{ value: 'harmonyos', label: 'HarmonyOS' }, { value: 'android', label: 'Android' }, { value: 'ios', label: 'iOS' }]} />
        </Form.Item>
        <Form.Item name="osVersion" label={t.osVersion} rules={[{ required: true, message: t.required }]}>
          <Input style={{ width: 100 }} data-testid="check-os-version" />
        </Form.Item>
        <Form.Item name="walletVersion" label={t.walletVersion}>
          <Input style={{ width: 140 }} data-testid="check-wallet-version" />
        </Form.Item>
        <Form.Item name="xiaomiChannel" label={t.xiaomiChannel}>
          <Select allowClear style={{ width: 110 }} options={[{ value: 'stable', label: t.channel_stable }, { value: 'dev', label: t.channel_dev }]} />
        </Form.Item>
        <Form.Item name="appVersion" label={t.appVersion} rules={[{ required: true, message: t.required }]}>
          <Input style={{ width: 110 }} data-testid="check-app-version" />
        </Form.Item>
        <Form.Item name="nfcEnabled" label={t.nfcEnabled} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={check.isPending} data-testid="phone-check">{t.check}</Button>
      </Form>
      {check.isError && <LoadError error={check.error} />}
      {result && (
        <Alert
          data-testid="phone-check-result"
          type={result.eligible ? 'success' : 'warning'}
          showIcon
          title={result.eligible ? t.eligible : t.notEligible}
          description={
            <Space orientation="vertical" size={2}>
              {result.problems.map((p) => (
                <Typography.Text key={p.reason} data-testid={`problem-${p.reason}`}>{lang === 'en' ? p.en : p.zh}</Typography.Text>
              ))}
              {result.matchedModel && <Typography.Text type="secondary">{t.matchedModel}: {result.matchedModel.name}</Typography.Text>}
            </Space>
          }
        />
      )}
    </Card>
  );
}
