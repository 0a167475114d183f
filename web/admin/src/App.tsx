import { App as AntApp, ConfigProvider } from 'antd';
import enUSModule from 'antd/es/locale/en_US.js';
import zhCNModule from 'antd/es/locale/zh_CN.js';
import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useLang } from '../../shared/i18n.js';
import { esmDefault } from '../../shared/interop.js';
import { useSession } from '../../shared/session.js';
import { AdminLayout } from './AdminLayout.js';
import { lazyPage as page } from './lazyPage.js';
import { OperatorsOnly } from './OperatorsOnly.js';
import { SchoolKindOnly } from './SchoolKindOnly.js';
import { LoginPage } from './pages/LoginPage.js';

// Each page's files load on its first visit (lazyPage.tsx: a stale tab reloads once after a deploy).
const SchoolsPage = page(() => import('./pages/SchoolsPage.js'), 'SchoolsPage');
const StudentsPage = page(() => import('./pages/StudentsPage.js'), 'StudentsPage');
const StudentDetailPage = page(() => import('./pages/StudentDetailPage.js'), 'StudentDetailPage');
const RosterImportPage = page(() => import('./pages/RosterImportPage.js'), 'RosterImportPage');
const StaffPage = page(() => import('./pages/StaffPage.js'), 'StaffPage');
const SmsOutboxPage = page(() => import('./pages/SmsOutboxPage.js'), 'SmsOutboxPage');
const AuditLogPage = page(() => import('./pages/AuditLogPage.js'), 'AuditLogPage');
const OrdersPage = page(() => import('./pages/OrdersPage.js'), 'OrdersPage');
const BalanceRefundsPage = page(() => import('./pages/BalanceRefundsPage.js'), 'BalanceRefundsPage');
const ReconciliationPage = page(() => import('./pages/ReconciliationPage.js'), 'ReconciliationPage');
const CalendarPage = page(() => import('./pages/CalendarPage.js'), 'CalendarPage');
const PaymentWindowPage = page(() => import('./pages/PaymentWindowPage.js'), 'PaymentWindowPage');
const CardsPage = page(() => import('./cards/CardsPage.js'), 'CardsPage');
const CardDetailPage = page(() => import('./cards/CardDetailPage.js'), 'CardDetailPage');
const ExtensionWindowPage = page(() => import('./cards/ExtensionWindowPage.js'), 'ExtensionWindowPage');
const TemporaryCardsPage = page(() => import('./cards/TemporaryCardsPage.js'), 'TemporaryCardsPage');
const ConfirmationsPage = page(() => import('./fulfilment/ConfirmationsPage.js'), 'ConfirmationsPage');
const ApplicationsPage = page(() => import('./fulfilment/ApplicationsPage.js'), 'ApplicationsPage');
const BatchesPage = page(() => import('./fulfilment/BatchesPage.js'), 'BatchesPage');
const DeliveriesPage = page(() => import('./fulfilment/DeliveriesPage.js'), 'DeliveriesPage');
const PhoneSupportPage = page(() => import('./ecards/PhoneSupportPage.js'), 'PhoneSupportPage');
const PartnerSchoolsPage = page(() => import('./ecards/PartnerSchoolsPage.js'), 'PartnerSchoolsPage');
const TerminalsPage = page(() => import('./transit/TerminalsPage.js'), 'TerminalsPage');
const TransitReconciliationPage = page(() => import('./transit/TransitReconciliationPage.js'), 'TransitReconciliationPage');
const RepairsPage = page(() => import('./campus/RepairsPage.js'), 'RepairsPage');
const RoomsPage = page(() => import('./campus/RoomsPage.js'), 'RoomsPage');
const PurchasesPage = page(() => import('./campus/PurchasesPage.js'), 'PurchasesPage');
const ElectricityPage = page(() => import('./campus/ElectricityPage.js'), 'ElectricityPage');
const LibraryPage = page(() => import('./campus/LibraryPage.js'), 'LibraryPage');
const BillsPage = page(() => import('./campus/BillsPage.js'), 'BillsPage');
const AcademicRecordsPage = page(() => import('./campus/AcademicRecordsPage.js'), 'AcademicRecordsPage');
const NoticesPage = page(() => import('./notices/NoticesPage.js'), 'NoticesPage');

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
            <Route path="staff" element={<OperatorsOnly><StaffPage /></OperatorsOnly>} />
            <Route path="sms-outbox" element={<OperatorsOnly><SmsOutboxPage /></OperatorsOnly>} />
            <Route path="audit-log" element={<OperatorsOnly><AuditLogPage /></OperatorsOnly>} />
            <Route path="orders" element={<OrdersPage />} />
            <Route path="balance-refunds" element={<BalanceRefundsPage />} />
            <Route path="reconciliation" element={<OperatorsOnly><ReconciliationPage /></OperatorsOnly>} />
            <Route path="calendar" element={<CalendarPage />} />
            <Route path="payment-window" element={<PaymentWindowPage />} />
            {/* 公告管理: operators' city-wide and school notices, a card manager's own school's. */}
            <Route path="notices" element={<NoticesPage />} />
            {/* Card services (helper G): card search and detail, the extension window, temporary cards. */}
            <Route path="cards" element={<CardsPage />} />
            <Route path="cards/:cardId" element={<CardDetailPage />} />
            <Route path="card-extension-window" element={<SchoolKindOnly kind="k12"><ExtensionWindowPage /></SchoolKindOnly>} />
            <Route path="temporary-cards" element={<SchoolKindOnly kind="university"><TemporaryCardsPage /></SchoolKindOnly>} />
            {/* Fulfilment (helper E): confirmations, replacement and sticker applications, batches, deliveries and pickups. */}
            <Route path="fulfilment/confirmations" element={<ConfirmationsPage />} />
            <Route path="fulfilment/applications" element={<ApplicationsPage />} />
            <Route path="fulfilment/batches" element={<OperatorsOnly><BatchesPage /></OperatorsOnly>} />
            <Route path="fulfilment/deliveries" element={<DeliveriesPage />} />
            {/* E-card data (operators): supported phones and minimum versions, university partner schools. */}
            <Route path="ecards/phones" element={<OperatorsOnly><PhoneSupportPage /></OperatorsOnly>} />
            <Route path="ecards/partners" element={<OperatorsOnly><PartnerSchoolsPage /></OperatorsOnly>} />
            {/* Transit (operators): terminals and their uploads, per-card reconciliation. */}
            <Route path="transit/terminals" element={<OperatorsOnly><TerminalsPage /></OperatorsOnly>} />
            <Route path="transit/reconciliation" element={<OperatorsOnly><TransitReconciliationPage /></OperatorsOnly>} />
            <Route path="campus/repairs" element={<SchoolKindOnly kind="university"><RepairsPage /></SchoolKindOnly>} />
            <Route path="campus/rooms" element={<SchoolKindOnly kind="university"><RoomsPage /></SchoolKindOnly>} />
            <Route path="campus/purchases" element={<SchoolKindOnly kind="university"><PurchasesPage /></SchoolKindOnly>} />
            <Route path="campus/electricity" element={<SchoolKindOnly kind="university"><ElectricityPage /></SchoolKindOnly>} />
            <Route path="campus/library" element={<SchoolKindOnly kind="university"><LibraryPage /></SchoolKindOnly>} />
            <Route path="campus/bills" element={<SchoolKindOnly kind="university"><BillsPage /></SchoolKindOnly>} />
            <Route path="campus/academic" element={<SchoolKindOnly kind="university"><AcademicRecordsPage /></SchoolKindOnly>} />
          </Route>
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </AntApp>
    </ConfigProvider>
  );
}
