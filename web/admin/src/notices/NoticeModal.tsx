import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Checkbox, Form, Input, Modal, Radio, Select, Switch, Typography } from 'antd';
import { useEffect } from 'react';
import { noticeAudiences, noticeBodyMax, noticeTitleMax, type NoticeAudience } from '../../../../src/domain/notices.js';
import { fill, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { messages } from '../messages.js';
import { SchoolSelect } from '../SchoolSelect.js';
import { isOperator, useConsoleUser } from '../scope.js';
import { noticeAdminMessages } from './messages.js';
import { noticesPath, type AdminNotice, type CreateNoticeRequest, type EditNoticeRequest } from './types.js';

interface NoticeForm {
  scope: 'city' | 'school';
  audience?: NoticeAudience;
  schoolId?: string;
  title: string;
  body: string;
  pinned: boolean;
  publish: boolean;
}

/**
 * 新建 / 编辑公告: an operator writes to the whole city (choosing the audience) or to a school; a
 * card manager to their own school. Once made, a notice's scope stays; its title, text and pinning
 * can be corrected until it is withdrawn.
 */
export function NoticeModal({ open, editing, onClose }: { open: boolean; editing: AdminNotice | null; onClose: () => void }) {
  const t = useMessages(noticeAdminMessages);
  const common = useMessages(messages);
  const me = useConsoleUser();
  const operator = isOperator(me);
  const { message } = App.useApp();
  const admin = useAdminApi();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<NoticeForm>();
  const scope = Form.useWatch('scope', form);

  // The form outlives the dialog: each opening starts from the notice edited, or a blank one.
  const initialValues: Partial<NoticeForm> = editing ? { title: editing.title, body: editing.body, pinned: editing.pinned } : { scope: 'city', audience: 'all', pinned: false, publish: false };
  useEffect(() => {
    if (open) form.resetFields();
  }, [open, editing, form]);

  const save = useIdempotentMutation({
    mutationFn: (request: { id: string; body: EditNoticeRequest } | { id: null; body: CreateNoticeRequest }, idempotencyKey) =>
      request.id ? admin.mutate<AdminNotice>('PUT', `${noticesPath}/${request.id}`, request.body, idempotencyKey) : admin.mutate<AdminNotice>('POST', noticesPath, request.body, idempotencyKey),
    onSuccess: async (notice) => {
      void message.success(editing ? t.saved : notice.status === 'published' ? t.createdPublished : t.created);
      await queryClient.invalidateQueries({ queryKey: [noticesPath] });
      onClose();
    },
  });
  const close = () => {
    save.reset();
    onClose();
  };
  const submit = (values: NoticeForm) => {
    const text = { title: values.title.trim(), body: values.body.trim(), pinned: values.pinned };
    if (editing) return save.mutate({ id: editing.id, body: text });
    const target = !operator ? {} : values.scope === 'city' ? { audience: values.audience! } : { schoolId: values.schoolId! };
    save.mutate({ id: null, body: { ...text, ...target, publish: values.publish } });
  };

  const scopeText = editing
    ? (editing.schoolId ? editing.schoolName : `${fill(t.cityWideFrom, { centre: t.cardCentre })} · ${t[`audience_${editing.audience ?? 'all'}`]}`)
    : fill(t.ownSchool, { school: me.schoolName ?? '' });

  return (
    <Modal
      open={open}
      title={editing ? t.editNotice : t.newNotice}
      okText={editing ? common.save : common.create}
      cancelText={common.cancel}
      okButtonProps={{ 'data-testid': 'notice-save' } as never}
      confirmLoading={save.isPending}
      onOk={() => form.submit()}
      onCancel={close}
      width={640}
      destroyOnHidden
    >
      {save.isError && <LoadError title={common.saveFailed} error={save.error} />}
      {editing?.status === 'published' && <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t.editPublishedHint} />}
      <Form<NoticeForm> form={form} layout="vertical" initialValues={initialValues} onFinish={submit} data-testid="notice-form">
        {editing || !operator ? (
          <Form.Item label={t.scope}>
            <Typography.Text data-testid="notice-scope-text">{scopeText}</Typography.Text>
          </Form.Item>
        ) : (
          <>
            <Form.Item name="scope" label={t.scope}>
              <Radio.Group data-testid="notice-scope" options={(['city', 'school'] as const).map((s) => ({ value: s, label: t[`scope_${s}`] }))} />
            </Form.Item>
            {scope === 'school' ? (
              <Form.Item name="schoolId" label={t.school} rules={[{ required: true, message: t.schoolRequired }]}>
                <SchoolSelect allowClear={false} />
              </Form.Item>
            ) : (
              <Form.Item name="audience" label={t.audience} rules={[{ required: true, message: t.audienceRequired }]}>
                <Select data-testid="notice-audience" options={noticeAudiences.map((a) => ({ value: a, label: t[`audience_${a}`] }))} />
              </Form.Item>
            )}
          </>
        )}
        <Form.Item name="title" label={t.title} rules={[{ required: true, whitespace: true, max: noticeTitleMax, message: t.titleRequired }]}>
          <Input maxLength={noticeTitleMax} showCount data-testid="notice-title-input" />
        </Form.Item>
        <Form.Item name="body" label={t.body} extra={t.bodyHelp} rules={[{ required: true, whitespace: true, max: noticeBodyMax, message: t.bodyRequired }]}>
          <Input.TextArea rows={8} maxLength={noticeBodyMax} showCount data-testid="notice-body-input" />
        </Form.Item>
        <Form.Item name="pinned" label={t.pinned} valuePropName="checked">
          <Switch data-testid="notice-pinned-input" />
        </Form.Item>
        {!editing && (
          <Form.Item name="publish" valuePropName="checked" style={{ marginBottom: 0 }}>
            <Checkbox data-testid="notice-publish-now">{t.publishNow}</Checkbox>
          </Form.Item>
        )}
      </Form>
    </Modal>
  );
}
