import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, ApiProblem, toProblem } from '../../api/client';
import { useAuth } from '../../app/auth';
import { useI18n } from '../../shared/i18n';
import { Field, fieldError, PageTitle, ProblemMessage } from '../../shared/ui';
import { AuthFrame } from './AuthFrame';
import { PolicyText, usePolicy } from '../../shared/PolicyText';

/**
 * The mail's link. A signed-in person joins with one click; a new person
 * creates an account. 410: used or withdrawn; 404: unknown.
 */
export default function AcceptInvitation() {
  const { t } = useI18n();
  const { token = '' } = useParams();
  const { signedIn, signIn, me } = useAuth();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const policy = usePolicy();
  const [f, setF] = useState({ firstName: '', lastName: '', company: '', email: '', password: '' });
  const [accepted, setAccepted] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) => setF({ ...f, [k]: e.target.value });

  const accept = async (body: Record<string, string | undefined>) => {
    setBusy(true);
    setError(null);
    try {
      const { data, error: e, response } = await api.POST('/api/invitations/{token}/accept', { params: { path: { token } }, body });
      if (!response.ok || !data) throw toProblem(response, e);
      if (!signedIn) await signIn(f.email, f.password);
      await qc.invalidateQueries({ queryKey: ['projects'] });
      navigate(`/p/${data.projectId}/board`, { replace: true });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const status = error instanceof ApiProblem ? error.status : 0;
  if (status === 410 || status === 404) {
    return (
      <AuthFrame>
        <PageTitle title={t('invite.title')}>{t('invite.title')}</PageTitle>
        <div className="problem" role="alert">
          <p className="problem-title">{status === 410 ? t('invite.gone') : t('invite.unknown')}</p>
        </div>
        <p>
          <Link to="/sign-in">{t('invite.toSignIn')}</Link>
        </p>
      </AuthFrame>
    );
  }

  if (signedIn) {
    return (
      <AuthFrame>
        <PageTitle title={t('invite.title')}>{t('invite.title')}</PageTitle>
        <p>{t('invite.joinAs', { name: me ? `${me.firstName} ${me.lastName}` : '' })}</p>
        <ProblemMessage error={error} />
        <button type="button" disabled={busy} onClick={() => void accept({})}>
          {t('invite.join')}
        </button>
      </AuthFrame>
    );
  }

  return (
    <AuthFrame>
      <PageTitle title={t('invite.title')}>{t('invite.title')}</PageTitle>
      <p>{t('invite.newIntro')}</p>
      <p>
        {t('invite.haveAccount')} <Link to={`/sign-in?next=${encodeURIComponent(`/invitations/${token}`)}`}>{t('invite.signInFirst')}</Link>
      </p>
      <form
        className="card form"
        onSubmit={(e) => {
          e.preventDefault();
          void accept({
            firstName: f.firstName,
            lastName: f.lastName,
            companyName: f.company,
            password: f.password,
            acceptedPolicyVersion: policy.data?.version,
          });
        }}
      >
        <Field label={t('field.firstName')} required value={f.firstName} onChange={set('firstName')} autoComplete="given-name" error={fieldError(error, 'firstName')} />
        <Field label={t('field.lastName')} required value={f.lastName} onChange={set('lastName')} autoComplete="family-name" error={fieldError(error, 'lastName')} />
        <Field label={t('field.company')} required value={f.company} onChange={set('company')} autoComplete="organization" error={fieldError(error, 'companyName')} />
        <Field
          label={t('field.email')}
          type="email"
          required
          value={f.email}
          onChange={set('email')}
          autoComplete="username"
          hint={t('invite.emailHint')}
        />
        <Field
          label={t('field.newPassword')}
          type="password"
          required
          minLength={10}
          value={f.password}
          onChange={set('password')}
          autoComplete="new-password"
          hint={t('field.passwordHint')}
          error={fieldError(error, 'password')}
        />
        <h2>{t('signUp.policy')}</h2>
        <PolicyText />
        <label className="check">
          <input type="checkbox" required checked={accepted} onChange={(e) => setAccepted(e.target.checked)} />
          {t('policy.accept', { version: policy.data?.version ?? '' })}
        </label>
        <ProblemMessage error={error} />
        <button type="submit" disabled={busy || !accepted}>
          {t('invite.create')}
        </button>
      </form>
    </AuthFrame>
  );
}
