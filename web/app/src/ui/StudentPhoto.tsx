import { UserOutlined } from '@ant-design/icons';
import { useEffect, useState } from 'react';
import { useMessages } from '../../../shared/i18n.js';
import { usePhoto } from '../account/queries.js';
import { accountMessages } from '../account/messages.js';

function useObjectUrl(blob: Blob | undefined): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!blob) {
      setUrl(null);
      return;
    }
    const next = URL.createObjectURL(blob);
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [blob]);
  return url;
}

/** A student's card photo (portrait 4:5), or a placeholder while loading and when there is none. */
export function StudentPhoto({ studentId, width = 56 }: { studentId: string; width?: number }) {
  const t = useMessages(accountMessages);
  const photo = usePhoto(studentId);
  const url = useObjectUrl(photo.data ?? undefined);
  const style = { width, height: Math.round(width * 1.25) };
  if (url) return <img className="student-photo" data-testid="student-photo" src={url} alt={t.photoAlt} style={style} />;
  return (
    <div className="student-photo placeholder" data-testid="photo-placeholder" aria-label={t.photoAlt} style={style}>
      <UserOutlined style={{ fontSize: width / 2 }} />
    </div>
  );
}
