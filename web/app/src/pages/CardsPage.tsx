import { Card, ErrorBlock } from 'antd-mobile';
import { useMessages } from '../../../shared/i18n.js';
import { messages } from '../messages.js';
import { Page } from './Page.js';

/** Cards arrive with the cards issue; until then the empty state says what will appear here. */
export function CardsPage() {
  const t = useMessages(messages);
  return (
    <Page title={t.cards}>
      <Card>
        <ErrorBlock status="empty" title={t.noCards} description={t.noCardsHint} />
      </Card>
    </Page>
  );
}
