import { NavBar } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router';

/** A full-screen page off a tab or the sign-in page: a title bar with a back arrow, a padded body. */
export function SubPage({ title, backTo, right, children }: { title: string; backTo?: string; right?: ReactNode; children: ReactNode }) {
  const navigate = useNavigate();
  return (
    <div className="app-frame">
      <NavBar back={backTo ? '' : null} onBack={() => backTo && navigate(backTo)} right={right} style={{ background: '#fff' }}>
        {title}
      </NavBar>
      <main className="app-content page-body">{children}</main>
    </div>
  );
}
