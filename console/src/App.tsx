import { BrowserRouter, Link, Navigate, Route, Routes } from 'react-router';
import { Layout } from './components/Layout';
import { useI18n } from './i18n/i18n';
import { useSession } from './lib/session';
import { BetaMonitorIndexPage } from './pages/BetaMonitorIndexPage';
import { BetaMonitorPage } from './pages/BetaMonitorPage';
import { CheckpointPage } from './pages/CheckpointPage';
import { FlagPage } from './pages/FlagPage';
import { FlagsPage } from './pages/FlagsPage';
import { ServiceTokensPage } from './pages/ServiceTokensPage';
import { SignInPage } from './pages/SignInPage';
import { UsersPage } from './pages/UsersPage';

function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <h1>{t('notFound.title')}</h1>
      <Link to="/feature-flags">{t('notFound.back')}</Link>
    </>
  );
}

/** Every page is under /admin (the server answers index.html for each of them). */
export function App() {
  const { user } = useSession();
  return (
    <BrowserRouter basename="/admin">
      {user === null ? (
        <SignInPage />
      ) : (
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<Navigate to="/feature-flags" replace />} />
            <Route path="feature-flags" element={<FlagsPage />} />
            <Route path="feature-flags/:key" element={<FlagPage />} />
            <Route path="beta-monitor" element={<BetaMonitorIndexPage />} />
            <Route path="beta-monitor/:key" element={<BetaMonitorPage />} />
            <Route path="beta-monitor/:key/checkpoints/:id" element={<CheckpointPage />} />
            <Route path="users" element={<UsersPage />} />
            <Route path="service-tokens" element={<ServiceTokensPage />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      )}
    </BrowserRouter>
  );
}
