import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { createApiClient, localTokenStore } from '../../shared/api.js';
import { LangProvider } from '../../shared/i18n.js';
import { createQueryClient, SessionProvider } from '../../shared/session.js';
import { App } from './App.js';
import { titles } from './messages.js';
import './admin.css';

const api = createApiClient({ tokens: localTokenStore('onecard.admin.token') });
const queryClient = createQueryClient();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LangProvider title={titles}>
      <QueryClientProvider client={queryClient}>
        <SessionProvider api={api}>
          <BrowserRouter basename="/admin">
            <App />
          </BrowserRouter>
        </SessionProvider>
      </QueryClientProvider>
    </LangProvider>
  </StrictMode>,
);
