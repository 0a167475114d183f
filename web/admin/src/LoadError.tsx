import { Alert, Button } from 'antd';
import { errorText, useLang, useMessages } from '../../shared/i18n.js';
import { messages } from './messages.js';

/** A failed load or action: the server's message in the chosen language, and a retry when one helps. */
export function LoadError({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const t = useMessages(messages);
  const { lang } = useLang();
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      title={title ?? t.loadFailed}
      description={errorText(error, lang)}
      data-testid="load-error"
      action={onRetry && <Button size="small" onClick={onRetry}>{t.retry}</Button>}
    />
  );
}
