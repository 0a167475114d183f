import { useMutation } from '@tanstack/react-query';
import { Button, Form, Input, Result, Toast } from 'antd-mobile';
import type { z } from 'zod';
import type { dataExportRequestSchema, dataExportSchema } from '../../../../src/modules/identity/account.schemas.js';
import { useMessages } from '../../../shared/i18n.js';
import { useApi } from '../../../shared/session.js';
import { accountMessages } from '../account/messages.js';
import { SubPage } from '../ui/SubPage.js';
import { errorCode, useErrorText } from '../ui/text.js';

type DataExport = z.infer<typeof dataExportSchema>;

/** Saves the document as a file on the phone (a download of an in-memory blob). */
function saveAsFile(data: DataExport): string {
  const fileName = `onecard-${data.role}-data-${data.generatedAt.slice(0, 10)}.json`;
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return fileName;
}

/** 导出我的数据: a copy of the signed-in student's or parent's own data, after the password. */
export function DataExportPage() {
  const t = useMessages(accountMessages);
  const api = useApi();
  const describe = useErrorText();
  const [form] = Form.useForm<{ password: string }>();

  const exportData = useMutation({
    mutationFn: ({ password }: { password: string }) => api.post<DataExport>('/me/data-export', { password } satisfies z.infer<typeof dataExportRequestSchema>),
    onSuccess: (doc) => {
      form.resetFields();
      saveAsFile(doc);
    },
    onError: (error) => {
      if (errorCode(error) === 'PASSWORD_WRONG') form.setFields([{ name: 'password', errors: [describe(error)] }]);
      else Toast.show({ icon: 'fail', content: describe(error) });
    },
  });

  return (
    <SubPage title={t.dataExportTitle} backTo="/me">
      {exportData.isSuccess ? (
        <Result status="success" title={t.dataExportDone} description={t.dataExportDoneHint} data-testid="data-export-done" />
      ) : (
        <div className="form-card">
          <p className="muted" data-testid="data-export-intro">{t.dataExportIntro}</p>
          <Form
            form={form}
            layout="vertical"
            onFinish={(values) => exportData.mutate(values)}
            footer={<Button block type="submit" color="primary" size="large" loading={exportData.isPending} data-testid="data-export-submit">{t.dataExportSubmit}</Button>}
          >
            <Form.Item name="password" label={t.currentPassword} rules={[{ required: true, message: t.required }]}>
              <Input type="password" autoComplete="current-password" data-testid="data-export-password" />
            </Form.Item>
          </Form>
        </div>
      )}
    </SubPage>
  );
}
