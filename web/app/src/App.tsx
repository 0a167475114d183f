import { ConfigProvider, setDefaultConfig } from 'antd-mobile';
import enUSModule from 'antd-mobile/es/locales/en-US.js';
import zhCNModule from 'antd-mobile/es/locales/zh-CN.js';
import { useEffect } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { useLang } from '../../shared/i18n.js';
import { esmDefault } from '../../shared/interop.js';
import { BindChildPage } from './pages/BindChildPage.js';
import { CardsPage } from './pages/CardsPage.js';
import { ChangePasswordPage } from './pages/ChangePasswordPage.js';
import { ChildPage } from './pages/ChildPage.js';
import { FindEducationIdPage } from './pages/FindEducationIdPage.js';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage.js';
import { HomePage } from './pages/HomePage.js';
import { LoginPage } from './pages/LoginPage.js';
import { MePage } from './pages/MePage.js';
import { ParentsPage } from './pages/ParentsPage.js';
import { Shell } from './Shell.js';
import { SignedIn } from './ui/SignedIn.js';

const locales = { 'zh-CN': esmDefault(zhCNModule), en: esmDefault(enUSModule) };

export function App() {
  const { lang } = useLang();
  // Toast and Dialog render outside this tree and read the global config, not the provider.
  useEffect(() => setDefaultConfig({ locale: locales[lang] }), [lang]);
  return (
    <ConfigProvider locale={locales[lang]}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/forgot-password" element={<ForgotPasswordPage />} />
        <Route path="/find-education-id" element={<FindEducationIdPage />} />
        <Route element={<SignedIn />}>
          <Route element={<Shell />}>
            <Route index element={<HomePage />} />
            <Route path="cards" element={<CardsPage />} />
            <Route path="me" element={<MePage />} />
          </Route>
          <Route path="me/password" element={<ChangePasswordPage />} />
          <Route path="me/parents" element={<ParentsPage />} />
          <Route path="children/bind" element={<BindChildPage />} />
          <Route path="children/:studentId" element={<ChildPage />} />
        </Route>
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </ConfigProvider>
  );
}
