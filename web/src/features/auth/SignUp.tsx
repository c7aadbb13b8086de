import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useAuth } from '../../app/auth';
import { useI18n } from '../../shared/i18n';
import { Field, fieldError, PageTitle, ProblemMessage } from '../../shared/ui';
import { AuthFrame } from './AuthFrame';
import { PolicyText, usePolicy } from '../../shared/PolicyText';

/** Registers a company and its first admin; records the policy version accepted (P1/P3). */
export default function SignUp() {
  const { t } = useI18n();
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const policy = usePolicy();
  const [f, setF] = useState({ company: '', country: 'AT', firstName: '', lastName: '', email: '', password: '' });
  const [accepted, setAccepted] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value });
  return (
    <AuthFrame>
      <PageTitle title={t('signUp.title')}>{t('signUp.title')}</PageTitle>
      <p>{t('signUp.intro')}</p>
      <form
        className="card form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!policy.data) return;
          setBusy(true);
          setError(null);
          try {
            await unwrap(
              api.POST('/api/organizations/register', {
                body: {
                  organization: { name: f.company, country: f.country || undefined },
                  admin: { email: f.email, firstName: f.firstName, lastName: f.lastName, password: f.password },
                  acceptedPolicyVersion: policy.data.version,
                },
              }),
            );
            await signIn(f.email, f.password);
            navigate('/projects', { replace: true });
          } catch (err) {
            setError(err);
          } finally {
            setBusy(false);
          }
        }}
      >
        <Field label={t('field.company')} required value={f.company} onChange={set('company')} error={fieldError(error, 'organization.name')} autoComplete="organization" />
        <Field label={t('field.country')} value={f.country} onChange={set('country')} maxLength={2} hint={t('field.countryHint')} />
        <Field label={t('field.firstName')} required value={f.firstName} onChange={set('firstName')} autoComplete="given-name" />
        <Field label={t('field.lastName')} required value={f.lastName} onChange={set('lastName')} autoComplete="family-name" />
        <Field label={t('field.email')} type="email" required value={f.email} onChange={set('email')} autoComplete="email" error={fieldError(error, 'admin.email')} />
        <Field
          label={t('field.newPassword')}
          type="password"
          required
          minLength={10}
          value={f.password}
          onChange={set('password')}
          autoComplete="new-password"
          hint={t('field.passwordHint')}
          error={fieldError(error, 'admin.password')}
        />
        <h2>{t('signUp.policy')}</h2>
        <PolicyText />
        <label className="check">
          <input type="checkbox" required checked={accepted} onChange={(e) => setAccepted(e.target.checked)} />
          {t('policy.accept', { version: policy.data?.version ?? '' })}
        </label>
        <ProblemMessage error={error} />
        <button type="submit" disabled={busy || !accepted}>
          {t('signUp.submit')}
        </button>
      </form>
      <p>
        {t('signUp.haveAccount')} <Link to="/sign-in">{t('signIn.title')}</Link>
      </p>
    </AuthFrame>
  );
}
