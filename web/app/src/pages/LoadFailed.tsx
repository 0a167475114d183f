import { Button, ErrorBlock } from 'antd-mobile';
import { errorText, useLang, useMessages } from '../../../shared/i18n.js';
import { messages } from '../messages.js';

export function LoadFailed({ error, onRetry }: { error: unknown; onRetry(): void }) {
  const { lang } = useLang();
  const t = useMessages(messages);
  return (
    <ErrorBlock status="default" title={t.loadFailed} description={errorText(error, lang)}>
      <Button size="small" color="primary" onClick={onRetry}>
        {t.retry}
      </Button>
    </ErrorBlock>
  );
}
