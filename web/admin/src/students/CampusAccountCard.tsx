import { App, Button, Card, Popconfirm, Typography } from 'antd';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { messages } from '../messages.js';
import { studentMessages } from './messages.js';
import { useStudentChanged } from './useStudent.js';

/** A university student's campus account at the service centre: the forgotten query password is put back to the initial one. */
export function CampusAccountCard({ studentId }: { studentId: string }) {
  const s = useMessages(studentMessages);
  const t = useMessages(messages);
  const { lang } = useLang();
  const { message } = App.useApp();
  const admin = useAdminApi();
  const changed = useStudentChanged(studentId);
  const reset = useIdempotentMutation({
    mutationFn: (_: void, idempotencyKey) => admin.mutate('POST', `/admin/students/${studentId}/query-password-reset`, undefined, idempotencyKey),
    onSuccess: async () => {
      void message.success(s.queryPasswordDone);
      await changed();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  return (
    <Card title={s.campusAccount} size="small" data-testid="campus-account">
      <Typography.Paragraph type="secondary">{s.queryPasswordHelp}</Typography.Paragraph>
      <Popconfirm title={s.queryPasswordConfirm} okText={s.queryPasswordReset} cancelText={t.cancel} onConfirm={() => reset.mutate()}>
        <Button danger block loading={reset.isPending} data-testid="query-password-reset">{s.queryPasswordReset}</Button>
      </Popconfirm>
    </Card>
  );
}
