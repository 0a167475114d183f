import { UploadOutlined, UserOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { App, Avatar, Button, Card, Space, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { useIdempotentMutation } from '../../../shared/mutation.js';
import { useAdminApi } from '../adminApi.js';
import { LoadError } from '../LoadError.js';
import { studentMessages } from './messages.js';
import { useStudentChanged } from './useStudent.js';

/** The server's limit (photos.ts); checked here too so a large file is refused before it is sent. */
const maxPhotoBytes = 500 * 1024;
const photoTypes = ['image/jpeg', 'image/png'];

/** The photo needs the bearer token, so it is fetched as a blob and shown from an object URL. */
function usePhotoUrl(studentId: string, hasPhoto: boolean, version: number) {
  const admin = useAdminApi();
  const photo = useQuery({
    queryKey: ['student-photo', studentId, version],
    queryFn: ({ signal }) => admin.blob(`/students/${studentId}/photo`, signal),
    enabled: hasPhoto,
    staleTime: Infinity,
  });
  const [url, setUrl] = useState<string>();
  useEffect(() => {
    if (!photo.data) {
      setUrl(undefined);
      return;
    }
    const objectUrl = URL.createObjectURL(photo.data);
    setUrl(objectUrl);
    return () => URL.revokeObjectURL(objectUrl);
  }, [photo.data]);
  return { url, error: photo.error, refetch: photo.refetch };
}

export function PhotoCard({ studentId, hasPhoto }: { studentId: string; hasPhoto: boolean }) {
  const s = useMessages(studentMessages);
  const { lang } = useLang();
  const { message } = App.useApp();
  const admin = useAdminApi();
  const changed = useStudentChanged(studentId);
  const [version, setVersion] = useState(0);
  const photo = usePhotoUrl(studentId, hasPhoto, version);

  const upload = useIdempotentMutation({
    mutationFn: (file: File, idempotencyKey) => admin.upload<void>('PUT', `/admin/students/${studentId}/photo`, file, file.type, { 'idempotency-key': idempotencyKey }),
    actionOf: (file) => `${file.name}|${file.size}|${file.lastModified}`,
    onSuccess: async () => {
      void message.success(s.photoSaved);
      setVersion((v) => v + 1);
      await changed();
    },
    onError: (error) => void message.error(errorText(error, lang)),
  });
  const choose = (file: File) => {
    if (!photoTypes.includes(file.type)) void message.error(s.photoWrongType);
    else if (file.size > maxPhotoBytes) void message.error(s.photoTooLarge);
    else upload.mutate(file);
    return Upload.LIST_IGNORE;
  };

  return (
    <Card title={s.photo} size="small">
      {photo.error && <LoadError error={photo.error} onRetry={() => void photo.refetch()} />}
      <Space orientation="vertical" align="center" style={{ width: '100%' }}>
        {photo.url ? (
          <img src={photo.url} alt={s.photo} data-testid="student-photo" style={{ width: 120, height: 160, objectFit: 'cover', borderRadius: 4, border: '1px solid #f0f0f0' }} />
        ) : (
          <Avatar shape="square" size={120} icon={<UserOutlined />} />
        )}
        <div data-testid="photo-upload">
          <Upload accept={photoTypes.join(',')} showUploadList={false} beforeUpload={choose}>
            <Button icon={<UploadOutlined />} loading={upload.isPending}>{s.photoUpload}</Button>
          </Upload>
        </div>
        <Typography.Text type="secondary">{s.photoHelp}</Typography.Text>
      </Space>
    </Card>
  );
}
