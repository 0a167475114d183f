import { QueryClientProvider } from '@tanstack/react-query';
import { unstableSetRender } from 'antd-mobile';
import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { createApiClient, localTokenStore } from '../../shared/api.js';
import { LangProvider } from '../../shared/i18n.js';
import { createQueryClient, SessionProvider } from '../../shared/session.js';
import { App } from './App.js';
import { titles } from './messages.js';
import './app.css';

// antd-mobile 5 mounts Toast and Dialog with the legacy render API, which React 19 removed.
const roots = new WeakMap<Element | DocumentFragment, Root>();
unstableSetRender((node, container) => {
  const root = roots.get(container) ?? createRoot(container);
  roots.set(container, root);
  root.render(node);
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    root.unmount();
    roots.delete(container);
  };
});

const api = createApiClient({ tokens: localTokenStore('onecard.app.token') });
const queryClient = createQueryClient();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LangProvider title={titles}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider api={api}>
          <BrowserRouter>
            <App />
          </BrowserRouter>
        </SessionProvider>
      </QueryClientProvider>
    </LangProvider>
  </StrictMode>,
);
