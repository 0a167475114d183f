import { ConfigProvider, setDefaultConfig } from 'antd-mobile';
import enUSModule from 'antd-mobile/es/locales/en-US.js';
import zhCNModule from 'antd-mobile/es/locales/zh-CN.js';
import { useEffect } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import { useLang } from '../../shared/i18n.js';
import { esmDefault } from '../../shared/interop.js';
import { BookingsPage } from './campus/BookingsPage.js';
import { ElectricityPage } from './campus/ElectricityPage.js';
import { LibraryPage } from './campus/LibraryPage.js';
import { NetworkPage } from './campus/NetworkPage.js';
import { PaymentCodePage } from './campus/PaymentCodePage.js';
import { RepairsPage } from './campus/RepairsPage.js';
import { BillsPage } from './campus/BillsPage.js';
import { GradesPage } from './campus/GradesPage.js';
import { TimetablePage } from './campus/TimetablePage.js';
import { ApplicationProgressPage, CardDetailPage, CardStatusQueryPage, ConfirmationPage, ExtensionPage, K12ServicesPage, ReplacementPage, ReturnPage } from './cards/pages.js';
import { EcardsPage, MovePhonePage, OpenK12Page, UniversityCardPage, UniversityLinkPage, UpgradePage } from './ecards/pages.js';
import { BindChildPage } from './pages/BindChildPage.js';
import { CardsPage } from './pages/CardsPage.js';
import { ChangePasswordPage } from './pages/ChangePasswordPage.js';
import { DataExportPage } from './pages/DataExportPage.js';
import { ChildPage } from './pages/ChildPage.js';
import { FindEducationIdPage } from './pages/FindEducationIdPage.js';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage.js';
import { HomePage } from './pages/HomePage.js';
import { LoginPage } from './pages/LoginPage.js';
import { MePage } from './pages/MePage.js';
import { NoticeDetailPage } from './notices/NoticeDetailPage.js';
import { NoticesPage } from './notices/NoticesPage.js';
import { ParentsPage } from './pages/ParentsPage.js';
import { OrderDetailPage } from './pages/OrderDetailPage.js';
import { OrdersPage } from './pages/OrdersPage.js';
import { PayResultPage } from './pages/PayResultPage.js';
import { TopUpPage } from './pages/TopUpPage.js';
import { TransactionsPage } from './pages/TransactionsPage.js';
import { Shell } from './Shell.js';
import { FareCalculatorPage, TripsPage } from './transit/pages.js';
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
        {/* Cards: the public 学生卡查询, a card's page, replacement and sticker wizards, progress, confirmation, extension, return. */}
        <Route path="/card-status" element={<CardStatusQueryPage />} />
        {/* Transit: the public fare calculator; a card's trips with the month's rail tiers. */}
        <Route path="/fares" element={<FareCalculatorPage />} />
        <Route element={<SignedIn />}>
          <Route path="cards/:cardId" element={<CardDetailPage />} />
          <Route path="cards/:cardId/replace" element={<ReplacementPage kind="replacement" />} />
          <Route path="cards/:cardId/sticker" element={<ReplacementPage kind="sticker" />} />
          <Route path="cards/:cardId/extend" element={<ExtensionPage />} />
          <Route path="cards/:cardId/return" element={<ReturnPage />} />
          <Route path="card-applications/:applicationId" element={<ApplicationProgressPage />} />
          <Route path="k12-services" element={<K12ServicesPage />} />
          <Route path="campus/pay" element={<PaymentCodePage />} />
          <Route path="campus/electricity" element={<ElectricityPage />} />
          <Route path="campus/repairs" element={<RepairsPage />} />
          <Route path="campus/bills" element={<BillsPage />} />
          <Route path="campus/bookings" element={<BookingsPage kind="piano_room" />} />
          <Route path="campus/sports" element={<BookingsPage kind="sports_court" />} />
          <Route path="campus/network" element={<NetworkPage />} />
          <Route path="campus/library" element={<LibraryPage />} />
          <Route path="campus/timetable" element={<TimetablePage />} />
          <Route path="campus/grades" element={<GradesPage />} />
          <Route path="students/:studentId/card-info" element={<ConfirmationPage />} />
        </Route>
        <Route element={<SignedIn />}>
          <Route element={<Shell />}>
            <Route index element={<HomePage />} />
            <Route path="cards" element={<CardsPage />} />
            <Route path="me" element={<MePage />} />
          </Route>
          <Route path="me/password" element={<ChangePasswordPage />} />
          <Route path="me/parents" element={<ParentsPage />} />
          <Route path="me/data-export" element={<DataExportPage />} />
          {/* 消息公告: the card centre's and the school's notices. */}
          <Route path="notices" element={<NoticesPage />} />
          <Route path="notices/:noticeId" element={<NoticeDetailPage />} />
          <Route path="children/bind" element={<BindChildPage />} />
          <Route path="children/:studentId" element={<ChildPage />} />
          {/* Money: orders, paying and its result, top-ups, a card's transactions. */}
          <Route path="orders" element={<OrdersPage />} />
          <Route path="orders/:orderId" element={<OrderDetailPage />} />
          <Route path="pay/result" element={<PayResultPage />} />
          <Route path="top-up" element={<TopUpPage />} />
          <Route path="cards/:cardId/top-up" element={<TopUpPage />} />
          <Route path="cards/:cardId/transactions" element={<TransactionsPage />} />
          <Route path="cards/:cardId/trips" element={<TripsPage />} />
          {/* Phone e-cards: opening wizard, 小升初/初升高 upgrades, lost-phone move, university e-card. */}
          <Route path="ecards" element={<EcardsPage />} />
          <Route path="ecards/k12/open" element={<OpenK12Page />} />
          <Route path="ecards/:cardId/upgrade" element={<UpgradePage />} />
          <Route path="ecards/:cardId/move" element={<MovePhonePage />} />
          <Route path="ecards/university/link" element={<UniversityLinkPage />} />
          <Route path="ecards/university/:cardId" element={<UniversityCardPage />} />
        </Route>
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </ConfigProvider>
  );
}
