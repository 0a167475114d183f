import { ConfigProvider, setDefaultConfig } from 'antd-mobile';
import enUSModule from 'antd-mobile/es/locales/en-US.js';
import zhCNModule from 'antd-mobile/es/locales/zh-CN.js';
import { useEffect, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useLang } from '../../shared/i18n.js';
import { esmDefault } from '../../shared/interop.js';
import { useSession } from '../../shared/session.js';
import { CardsPage } from './pages/CardsPage.js';
import { HomePage } from './pages/HomePage.js';
import { LoginPage } from './pages/LoginPage.js';
import { MePage } from './pages/MePage.js';
import { Shell } from './Shell.js';

const locales = { 'zh-CN': esmDefault(zhCNModule), en: esmDefault(enUSModule) };

function RequireSession({ children }: { children: ReactNode }) {
  const { token } = useSession();
  const location = useLocation();
  if (!token) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
  return children;
}

export function App() {
  const { lang } = useLang();
  // Toast and Dialog render outside this tree and read the global config, not the provider.
  useEffect(() => setDefaultConfig({ locale: locales[lang] }), [lang]);
  return (
    <ConfigProvider locale={locales[lang]}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<RequireSession><Shell /></RequireSession>}>
          <Route index element={<HomePage />} />
          <Route path="cards" element={<CardsPage />} />
          <Route path="me" element={<MePage />} />
        </Route>
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </ConfigProvider>
  );
}
