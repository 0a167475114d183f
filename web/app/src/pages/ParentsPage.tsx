import { Button, Dialog, ErrorBlock, Form, Input, List, Skeleton, Toast } from 'antd-mobile';
import { SingleSelector } from '../ui/SingleSelector.js';
import type { z } from 'zod';
import type { bindParentSchema, ParentLink } from '../../../../src/modules/identity/account.schemas.js';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useApi, useMe } from '../../../shared/session.js';
import { accountMessages } from '../account/messages.js';
import { useInvalidate, useParents } from '../account/queries.js';
import { messages } from '../messages.js';
import { relationLabel, relations } from '../ui/labels.js';
import { SubPage } from '../ui/SubPage.js';
import { beijingDate, errorCode, fill, useErrorText } from '../ui/text.js';
import { LoadFailed } from './LoadFailed.js';

type BindParent = z.input<typeof bindParentSchema>;
interface BoundParent {
  parentId: string;
  phone: string;
  accountCreated: boolean;
}
interface Values {
  phone: string;
  relation: string[];
}

function ParentItem({ studentId, parent }: { studentId: string; parent: ParentLink }) {
  const t = useMessages(accountMessages);
  const { lang } = useLang();
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidate();
  const unbind = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => api.delete(`/students/${studentId}/parents/${parent.parentId}`, { idempotencyKey }),
    onSuccess: () => Toast.show({ icon: 'success', content: t.unbound }),
    onError: (error) => Toast.show({ icon: 'fail', content: describe(error) }),
    onSettled: () => invalidate('parents'),
  });
  const confirmUnbind = async () => {
    if (await Dialog.confirm({ content: fill(t.unbindParentConfirm, { phone: parent.phone }) })) unbind.mutate();
  };
  return (
    <List.Item
      data-testid="parent-item"
      description={[relationLabel(t, parent.relation), fill(t.boundAt, { date: beijingDate(parent.boundAt, lang) })].filter(Boolean).join(' · ')}
      extra={
        <Button size="mini" color="danger" fill="outline" loading={unbind.isPending} onClick={() => void confirmUnbind()}>
          {t.unbind}
        </Button>
      }
    >
      {parent.phone}
    </List.Item>
  );
}

function BindParentForm({ studentId }: { studentId: string }) {
  const t = useMessages(accountMessages);
  const common = useMessages(messages);
  const api = useApi();
  const describe = useErrorText();
  const invalidate = useInvalidate();
  const [form] = Form.useForm<Values>();

  const bind = useIdempotentMutation({
    mutationFn: ({ phone, relation }: Values, idempotencyKey) =>
      api.post<BoundParent>(`/students/${studentId}/parents`, { phone: phone.trim(), ...(relation[0] ? { relation: relation[0] } : {}) } satisfies BindParent, { idempotencyKey }),
    onSuccess: async (bound) => {
      form.resetFields();
      await invalidate('parents');
      await Dialog.alert({
        title: t.parentBoundTitle,
        content: <div data-testid="parent-bound">{fill(bound.accountCreated ? t.parentBoundNew : t.parentBoundExisting, { phone: bound.phone })}</div>,
        confirmText: t.gotIt,
      });
    },
    onError: (error) => {
      if (['PARENT_ALREADY_BOUND', 'PARENT_CHILD_LIMIT', 'PHONE_FORMAT'].includes(errorCode(error) ?? '')) form.setFields([{ name: 'phone', errors: [describe(error)] }]);
      else Toast.show({ icon: 'fail', content: describe(error) });
    },
  });

  return (
    <div className="form-card section">
      <Form
        form={form}
        layout="vertical"
        initialValues={{ phone: '', relation: [] }}
        onFinish={(values) => bind.mutate(values)}
        footer={
          <Button block type="submit" color="primary" loading={bind.isPending} data-testid="bind-parent-submit">
            {t.bindParent}
          </Button>
        }
      >
        <Form.Header>{t.noParentsHint}</Form.Header>
        <Form.Item name="phone" label={t.parentPhone} rules={[{ required: true, message: common.phonePlaceholder }, { pattern: /^1\d{10}$/, message: common.phoneInvalid }]}>
          <Input inputMode="numeric" autoComplete="off" maxLength={11} placeholder={common.phonePlaceholder} />
        </Form.Item>
        {/* Optional (the server binds without one): a second tap clears it. */}
        <Form.Item name="relation" label={t.relation}>
          <SingleSelector allowClear columns={3} options={relations.map((value) => ({ value, label: relationLabel(t, value) ?? value }))} data-testid="parent-relation" />
        </Form.Item>
      </Form>
    </div>
  );
}

function ParentList({ studentId }: { studentId: string }) {
  const t = useMessages(accountMessages);
  const parents = useParents(studentId);
  return (
    <List className="section" header={t.myParents} data-testid="parents-list">
      {parents.isPending ? (
        <List.Item><Skeleton.Paragraph lineCount={2} animated /></List.Item>
      ) : parents.isError ? (
        <LoadFailed error={parents.error} onRetry={() => void parents.refetch()} />
      ) : parents.data.length === 0 ? (
        <ErrorBlock status="empty" title={t.noParents} description={null} className="compact-empty" />
      ) : (
        parents.data.map((parent) => <ParentItem key={parent.parentId} studentId={studentId} parent={parent} />)
      )}
    </List>
  );
}

/** A student's parents: who is bound (phones masked), unbinding, and binding another by phone. */
export function ParentsPage() {
  const t = useMessages(accountMessages);
  const me = useMe();
  return (
    <SubPage title={t.bindParent} backTo="/me">
      {me.data && me.data.role === 'student' ? (
        <>
          <ParentList studentId={me.data.id} />
          <BindParentForm studentId={me.data.id} />
        </>
      ) : (
        <ErrorBlock status="empty" title={t.noParents} description={null} />
      )}
    </SubPage>
  );
}
