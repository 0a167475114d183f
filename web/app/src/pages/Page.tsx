import { NavBar } from 'antd-mobile';
import type { ReactNode } from 'react';

/** A tab's page: a title bar without a back arrow (tabs are top-level) and a padded body. */
export function Page({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <NavBar back={null} style={{ background: '#fff' }}>
        {title}
      </NavBar>
      <div className="page-body">{children}</div>
    </>
  );
}
