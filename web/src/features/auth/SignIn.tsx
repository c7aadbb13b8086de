import { useState } from 'react';
import { Link, Navigate, useNavigate, useSearchParams } from 'react-router';
import { safeNext, useAuth } from '../../app/auth';
import { useI18n } from '../../shared/i18n';
import { Field, PageTitle, ProblemMessage } from '../../shared/ui';
import { AuthFrame } from './AuthFrame';

export function SignIn() {
  const { t } = useI18n();
  const { signIn, signedIn } = useAuth();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const next = safeNext(params.get('next'));
  const [email, setEmail] = useState(params.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (signedIn && !busy) return <Navigate to={next} replace />;
  return (
    <AuthFrame>
      <PageTitle title={t('signIn.title')}>{t('signIn.title')}</PageTitle>
      {params.get('expired') === '1' && (
        <p className="notice" role="status">
          {t('signIn.expired')}
        </p>
      )}
      {params.get('deleted') === '1' && (
        <p className="notice" role="status">
          {t('signIn.deleted')}
        </p>
      )}
      {params.get('orgDeleted') === '1' && (
        <p className="notice" role="status">
          {t('signIn.orgDeleted')}
        </p>
      )}
      {params.get('everywhere') === '1' && (
        <p className="notice" role="status">
          {t('signIn.everywhere')}
        </p>
      )}
      <form
        className="card form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await signIn(email, password);
            navigate(next, { replace: true });
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t('field.email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        <Field
          label={t('field.password')}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <ProblemMessage error={error} />
        <button type="submit" disabled={busy}>
          {t('signIn.submit')}
        </button>
      </form>
      <p>
        {t('signIn.noAccount')} <Link to="/sign-up">{t('signIn.register')}</Link>
      </p>
    </AuthFrame>
  );
}
