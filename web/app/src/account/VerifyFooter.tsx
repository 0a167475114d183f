import { Button } from 'antd-mobile';
import { useMessages } from '../../../shared/i18n.js';
import { accountMessages } from './messages.js';

/**
 * The footer of every "prove who the student is" form: the not-verified warning (which names
 * typos in names as the usual cause) above the submit button.
 */
export function VerifyFooter({ notVerified, label, loading, testId }: { notVerified: boolean; label: string; loading: boolean; testId: string }) {
  const t = useMessages(accountMessages);
  return (
    <>
      {notVerified && (
        <div className="form-error" role="alert" data-testid="identity-not-verified">
          {t.identityNotVerified}
        </div>
      )}
      <Button block type="submit" color="primary" size="large" loading={loading} data-testid={testId}>
        {label}
      </Button>
    </>
  );
}
