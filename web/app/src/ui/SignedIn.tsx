import { Button, DotLoading } from 'antd-mobile';
import { Navigate, Outlet, useLocation } from 'react-router';
import { useMessages } from '../../../shared/i18n.js';
import { useMe, useSession } from '../../../shared/session.js';
import { messages } from '../messages.js';
import { ChangePasswordPage } from '../pages/ChangePasswordPage.js';
import { LoadFailed } from '../pages/LoadFailed.js';

/**
 * Every signed-in route goes through here: no token → the sign-in page; the initial password
 * still in force → the change-password screen instead of the route, whatever the URL.
 */
export function SignedIn() {
  const t = useMessages(messages);
  const { token, signOut } = useSession();
  const location = useLocation();
  const me = useMe();

  if (!token) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  if (me.isPending) {
    return (
      <div className="app-frame center" aria-busy="true">
        <DotLoading color="primary" />
        <span className="muted">{t.loading}</span>
      </div>
    );
  }
  if (me.isError) {
    return (
      <div className="app-frame center">
        <LoadFailed error={me.error} onRetry={() => void me.refetch()} />
        <Button fill="none" onClick={() => void signOut()}>
          {t.signOut}
        </Button>
      </div>
    );
  }
  if (me.data.mustChangePassword) return <ChangePasswordPage forced />;
  return <Outlet />;
}
