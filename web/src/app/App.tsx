import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router';
import { onSessionExpired } from '../api/client';
import { I18nProvider, type Language } from '../shared/i18n';
import { AuthProvider, RequireAuth } from './auth';
import { Layout, ProjectLayout } from './Layout';
import { PublicLayout } from './PublicLayout';
import { SignIn } from '../features/auth/SignIn';
import { ProjectsPage } from '../features/projects/ProjectsPage';
import { Loading } from '../shared/ui';

// Screens that are not the first one load on demand (first-screen budget).
const SignUp = lazy(() => import('../features/auth/SignUp'));
const AcceptInvitation = lazy(() => import('../features/auth/AcceptInvitation'));
const BoardPage = lazy(() => import('../features/board/BoardPage'));
const BookPage = lazy(() => import('../features/bookings/BookPage'));
const MyBookingsPage = lazy(() => import('../features/bookings/MyBookingsPage'));
const ApprovalsPage = lazy(() => import('../features/approvals/ApprovalsPage'));
const GatePage = lazy(() => import('../features/gate/GatePage'));
const SetupPage = lazy(() => import('../features/projects/SetupPage'));
const MembersPage = lazy(() => import('../features/members/MembersPage'));
const AccountPage = lazy(() => import('../features/account/AccountPage'));
const FilesPage = lazy(() => import('../features/files/FilesPage'));
const AuditPage = lazy(() => import('../features/audit/AuditPage'));
const PrivacyPage = lazy(() => import('../features/privacy/PrivacyPage'));
const ContactPage = lazy(() => import('../features/support/ContactPage'));
const SupportInbox = lazy(() => import('../features/support/SupportInbox'));
const OrganizationPage = lazy(() => import('../features/organization/OrganizationPage'));
const ReportsPage = lazy(() => import('../features/reports/ReportsPage'));
const SitePlanPage = lazy(() => import('../features/siteplan/SitePlanPage'));
// The driver pass is public, outside every frame of the app.
const PassPage = lazy(() => import('../features/pass/PassPage'));

const queryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, staleTime: 10_000, refetchOnWindowFocus: true } },
});

const LANG_KEY = 'insite-lms.lang';

/** After a refused refresh: back to sign-in, and afterwards to where the person was. */
function SessionExpiry() {
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    onSessionExpired(() => {
      queryClient.clear();
      const here = location.pathname + location.search;
      if (!location.pathname.startsWith('/sign-in')) navigate(`/sign-in?next=${encodeURIComponent(here)}&expired=1`);
    });
  }, [navigate, location]);
  return null;
}

export function App() {
  const [lang, setLang] = useState<Language>(() => (sessionStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'de'));
  const setLanguage = useCallback((l: Language) => {
    sessionStorage.setItem(LANG_KEY, l);
    setLang(l);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  return (
    <QueryClientProvider client={queryClient}>
      <I18nProvider lang={lang} setLanguage={setLanguage}>
        <BrowserRouter>
          <SessionExpiry />
          <AuthProvider>
            <Suspense fallback={<Loading />}>
              <Routes>
                <Route path="/sign-in" element={<SignIn />} />
                <Route path="/sign-up" element={<SignUp />} />
                <Route path="/invitations/:token" element={<AcceptInvitation />} />
                <Route path="/pass/:token" element={<PassPage />} />
                <Route element={<PublicLayout />}>
                  <Route path="/privacy" element={<PrivacyPage />} />
                  <Route path="/contact" element={<ContactPage />} />
                </Route>
                <Route element={<RequireAuth />}>
                  <Route element={<Layout />}>
                    <Route path="/" element={<Navigate to="/projects" replace />} />
                    <Route path="/projects" element={<ProjectsPage />} />
                    <Route path="/account" element={<AccountPage />} />
                    <Route path="/support" element={<SupportInbox />} />
                    <Route path="/organization" element={<OrganizationPage />} />
                    <Route path="/p/:projectId" element={<ProjectLayout />}>
                      <Route index element={<Navigate to="board" replace />} />
                      <Route path="board" element={<BoardPage />} />
                      <Route path="book" element={<BookPage />} />
                      <Route path="my-bookings" element={<MyBookingsPage />} />
                      <Route path="approvals" element={<ApprovalsPage />} />
                      <Route path="gate" element={<GatePage />} />
                      <Route path="setup" element={<SetupPage />} />
                      <Route path="files" element={<FilesPage />} />
                      <Route path="audit" element={<AuditPage />} />
                      <Route path="members" element={<MembersPage />} />
                      <Route path="reports" element={<ReportsPage />} />
                      {/* Site plan (issue 18, plan-web). */}
                      <Route path="site-plan" element={<SitePlanPage />} />
                    </Route>
                    <Route path="*" element={<NotFound />} />
                  </Route>
                </Route>
              </Routes>
            </Suspense>
          </AuthProvider>
        </BrowserRouter>
      </I18nProvider>
    </QueryClientProvider>
  );
}

function NotFound() {
  return <Navigate to="/projects" replace />;
}
