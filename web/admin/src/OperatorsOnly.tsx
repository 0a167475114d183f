import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useMessages } from '../../shared/i18n.js';
import { messages } from './messages.js';
import { isOperator, useConsoleUser } from './scope.js';

/**
 * The one gate for the card centre's own pages (staff, SMS outbox, audit log, reconciliations,
 * batches, e-card data, transit). The API refuses card managers anyway; this says so instead of
 * showing load errors, and the page is not even loaded.
 */
export function OperatorsOnly({ children }: { children: ReactNode }) {
  const t = useMessages(messages);
  const me = useConsoleUser();
  if (!isOperator(me)) return <Result status="403" title={t.operatorsOnly} />;
  return children;
}
