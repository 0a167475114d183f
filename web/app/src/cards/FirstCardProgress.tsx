import { List } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { useLang, useMessages } from '../../../shared/i18n.js';
import { useApplications } from './fulfilment.js';
import { cardPaths } from './paths.js';
import { wizardMessages } from './wizard-messages.js';

/**
 * 新生制卡 under way for a student who has no card yet: the school opened it, and it goes to
 * production once the card information is confirmed. Opens the application's progress timeline.
 */
export function FirstCardProgress({ studentId }: { studentId: string }) {
  const w = useMessages(wizardMessages);
  const { lang } = useLang();
  const navigate = useNavigate();
  const applications = useApplications(studentId, 'new_card');
  const open = (applications.data ?? []).filter((a) => a.status !== 'completed' && a.status !== 'cancelled');
  if (open.length === 0) return null;
  return (
    <List mode="card">
      {open.map((a) => (
        <List.Item key={a.id} clickable onClick={() => navigate(cardPaths.application(a.id))} extra={lang === 'en' ? a.statusLabel.en : a.statusLabel.zh} data-testid="first-card-progress">
          {w.applicationKind_new_card}
        </List.Item>
      ))}
    </List>
  );
}
