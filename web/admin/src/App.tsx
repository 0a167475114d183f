import { App as AntApp, ConfigProvider } from 'antd';
import enUSModule from 'antd/es/locale/en_US.js';
import zhCNModule from 'antd/es/locale/zh_CN.js';
import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useLang } from '../../shared/i18n.js';
import { esmDefault } from '../../shared/interop.js';
import { useSession } from '../../shared/session.js';
import { AdminLayout } from './AdminLayout.js';
import { AuditLogPage } from './pages/AuditLogPage.js';
import { BalanceRefundsPage } from './pages/BalanceRefundsPage.js';
import { CalendarPage } from './pages/CalendarPage.js';
import { OrdersPage } from './pages/OrdersPage.js';
import { PaymentWindowPage } from './pages/PaymentWindowPage.js';
import { ReconciliationPage } from './pages/ReconciliationPage.js';
import { LoginPage } from './pages/LoginPage.js';
import { RosterImportPage } from './pages/RosterImportPage.js';
import { SchoolsPage } from './pages/SchoolsPage.js';
import { SmsOutboxPage } from './pages/SmsOutboxPage.js';
import { StaffPage } from './pages/StaffPage.js';
import { StudentDetailPage } from './pages/StudentDetailPage.js';
import { StudentsPage } from './pages/StudentsPage.js';
import { CardDetailPage } from './cards/CardDetailPage.js';
import { CardsPage } from './cards/CardsPage.js';
import { ExtensionWindowPage } from './cards/ExtensionWindowPage.js';
import { TemporaryCardsPage } from './cards/TemporaryCardsPage.js';
import { ApplicationsPage } from './fulfilment/ApplicationsPage.js';
import { BatchesPage } from './fulfilment/BatchesPage.js';
import { ConfirmationsPage } from './fulfilment/ConfirmationsPage.js';
import { DeliveriesPage } from './fulfilment/DeliveriesPage.js';
import { PartnerSchoolsPage } from './ecards/PartnerSchoolsPage.js';
import { PhoneSupportPage } from './ecards/PhoneSupportPage.js';
import { TerminalsPage } from './transit/TerminalsPage.js';
import { TransitReconciliationPage } from './transit/TransitReconciliationPage.js';

const locales = { 'zh-CN': esmDefault(zhCNModule), en: esmDefault(enUSModule) };

function RequireSession({ children }: { children: ReactNode }) {
  const { token } = useSession();
  const location = useLocation();
  if (!token) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return children;
}

export function App() {
  const { lang } = useLang();
  return (
    <ConfigProvider locale={locales[lang]} theme={{ token: { colorPrimary: '#1677ff' } }}>
      <AntApp>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route element={<RequireSession><AdminLayout /></RequireSession>}>
            <Route index element={<Navigate to="/schools" replace />} />
            <Route path="schools" element={<SchoolsPage />} />
            <Route path="students" element={<StudentsPage />} />
            <Route path="students/:studentId" element={<StudentDetailPage />} />
            <Route path="roster-imports" element={<RosterImportPage />} />
            <Route path="staff" element={<StaffPage />} />
            <Route path="sms-outbox" element={<SmsOutboxPage />} />
            <Route path="audit-log" element={<AuditLogPage />} />
            <Route path="orders" element={<OrdersPage />} />
            <Route path="balance-refunds" element={<BalanceRefundsPage />} />
            <Route path="reconciliation" element={<ReconciliationPage />} />
            <Route path="calendar" element={<CalendarPage />} />
            <Route path="payment-window" element={<PaymentWindowPage />} />
            {/* Card services (helper G): card search and detail, the extension window, temporary cards. */}
            <Route path="cards" element={<CardsPage />} />
            <Route path="cards/:cardId" element={<CardDetailPage />} />
            <Route path="card-extension-window" element={<ExtensionWindowPage />} />
            <Route path="temporary-cards" element={<TemporaryCardsPage />} />
            {/* Fulfilment (helper E): confirmations, replacement and sticker applications, batches, deliveries and pickups. */}
            <Route path="fulfilment/confirmations" element={<ConfirmationsPage />} />
            <Route path="fulfilment/applications" element={<ApplicationsPage />} />
            <Route path="fulfilment/batches" element={<BatchesPage />} />
            <Route path="fulfilment/deliveries" element={<DeliveriesPage />} />
            {/* E-card data (operators): supported phones and minimum versions, university partner schools. */}
            <Route path="ecards/phones" element={<PhoneSupportPage />} />
            <Route path="ecards/partners" element={<PartnerSchoolsPage />} />
            {/* Transit (operators): terminals and their uploads, per-card reconciliation. */}
            <Route path="transit/terminals" element={<TerminalsPage />} />
            <Route path="transit/reconciliation" element={<TransitReconciliationPage />} />
          </Route>
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </AntApp>
    </ConfigProvider>
  );
}
