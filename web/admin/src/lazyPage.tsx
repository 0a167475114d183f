import { Component, lazy, type ComponentType, type ReactNode } from 'react';
import { LoadError } from './LoadError.js';
import { importOrReload } from './reloadOnce.js';

/** Shows LoadError when a page's files could not be loaded even after the reload. */
class PageLoadBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state: { error: unknown } = { error: undefined };

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override render() {
    // React keeps a failed lazy import failed, so retrying means loading the page again.
    if (this.state.error !== undefined) return <LoadError error={this.state.error} onRetry={() => window.location.reload()} />;
    return this.props.children;
  }
}

/**
 * A page loaded on first visit (its own file, with the parts of antd only it uses), so the
 * sign-in screen and the layout do not wait for every page of the console. AdminLayout's
 * Suspense shows a spinner meanwhile; a tab left open across a deploy reloads once (reloadOnce.ts).
 */
export function lazyPage<Name extends string>(load: () => Promise<Record<Name, ComponentType>>, name: Name): ComponentType {
  const Page = lazy<ComponentType>(() => importOrReload(load).then((module) => ({ default: module[name] })));
  return function LazyPage() {
    return (
      <PageLoadBoundary>
        <Page />
      </PageLoadBoundary>
    );
  };
}
