import { Button, Result } from 'antd-mobile';
import { useNavigate } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { accountMessages } from './messages.js';

export function ResetDone() {
  const t = useMessages(accountMessages);
  const navigate = useNavigate();
  return (
    <div data-testid="reset-done">
      <Result status="success" title={t.resetDone} description={t.resetDoneHint} />
      <Button block color="primary" size="large" onClick={() => navigate('/login', { replace: true })}>
        {t.toLogin}
      </Button>
    </div>
  );
}
