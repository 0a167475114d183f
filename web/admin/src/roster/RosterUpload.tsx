import { InboxOutlined } from '@ant-design/icons';
import { App, Spin, Upload } from 'antd';
import { useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { FileError } from './FileError.js';
import { rosterMessages } from './messages.js';

/**
 * Sends the file's bytes as they are (the server detects UTF-8 or GBK). The content type is set
 * to text/csv explicitly: Windows labels .csv files application/vnd.ms-excel.
 */
export function RosterUpload({ schoolId, onStarted }: { schoolId: string; onStarted: (importId: string) => void }) {
  const t = useMessages(rosterMessages);
  const { message } = App.useApp();
  const admin = useAdminApi();
  const upload = useIdempotentMutation({
    mutationFn: (file: File, idempotencyKey) =>
      admin.upload<{ id: string }>('POST', `/admin/schools/${schoolId}/roster-imports`, file, 'text/csv', {
        'x-file-name': encodeURIComponent(file.name),
        'idempotency-key': idempotencyKey,
      }),
    actionOf: (file) => `${file.name}|${file.size}|${file.lastModified}`,
    onSuccess: ({ id }) => onStarted(id),
  });
  const choose = (file: File) => {
    if (!/\.(csv|txt)$/i.test(file.name)) void message.error(t.notCsv);
    else upload.mutate(file);
    return Upload.LIST_IGNORE;
  };
  return (
    <>
      {upload.isError && <FileError error={upload.error} />}
      <Spin spinning={upload.isPending} description={t.uploading}>
        <div data-testid="roster-upload">
          <Upload.Dragger accept=".csv,text/csv" multiple={false} showUploadList={false} beforeUpload={choose} disabled={upload.isPending}>
            <p className="ant-upload-drag-icon"><InboxOutlined /></p>
            <p className="ant-upload-text">{t.chooseFile}</p>
            <p className="ant-upload-hint">{t.chooseFileHint}</p>
          </Upload.Dragger>
        </div>
      </Spin>
    </>
  );
}
