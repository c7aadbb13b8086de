import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, ApiProblem, unwrap, type Profile } from '../../api/client';
import { clearTokens } from '../../api/session';
import { useAuth } from '../../app/auth';
import { useProjects } from '../../app/Layout';
import { useI18n, type Language, type MessageKey } from '../../shared/i18n';
import { Field, fieldError, Loading, PageTitle, ProblemMessage, SelectField } from '../../shared/ui';
import { getBriefing, putBriefing } from './briefing';

const SECTIONS: [string, MessageKey][] = [
  ['profile-h', 'account.profile'],
  ['notify-h', 'account.notifications'],
  ['logins-h', 'account.logins'],
  ['feed-h', 'account.feed'],
  ['password-h', 'account.password'],
  ['sessions-h', 'account.sessions'],
  ['export-h', 'account.export'],
  ['delete-h', 'account.delete'],
];

/** My account (issue 17): profile, notifications, logins, calendar feed, password, export, erasure. */
export default function AccountPage() {
  const { t } = useI18n();
  const { me } = useAuth();
  if (!me) return <Loading />;
  return (
    <div className="page">
      <PageTitle title={t('account.title')}>{t('account.title')}</PageTitle>
      <nav aria-label={t('account.sections')}>
        <ul className="section-links">
          {SECTIONS.map(([id, key]) => (
            <li key={id}>
              <a href={`#${id}`}>{t(key)}</a>
            </li>
          ))}
        </ul>
      </nav>
      <ProfileForm me={me} />
      <Notifications me={me} />
      <Logins />
      <CalendarFeed />
      <PasswordForm />
      <Sessions />
      <Export />
      <DeleteAccount />
    </div>
  );
}

/** A success notice; kept as a key so that it follows a change of language. */
function Done({ text }: { text: MessageKey | '' }) {
  const { t } = useI18n();
  if (!text) return null;
  return (
    <p className="notice success" role="status">
      {t(text)}
    </p>
  );
}

function ProfileForm({ me }: { me: Profile }) {
  const { t, setLanguage } = useI18n();
  const qc = useQueryClient();
  const [firstName, setFirstName] = useState(me.firstName);
  const [lastName, setLastName] = useState(me.lastName);
  const [language, setLang] = useState<Language>(me.language);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<MessageKey | ''>('');
  return (
    <section className="card" aria-labelledby="profile-h">
      <h2 id="profile-h">{t('account.profile')}</h2>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          setDone('');
          try {
            const profile = await unwrap(api.PATCH('/api/me', { body: { firstName, lastName, language } }));
            qc.setQueryData(['me'], profile);
            setLanguage(profile.language);
            setDone('account.saved');
          } catch (err) {
            setError(err);
          }
        }}
      >
        <p>
          {t('field.email')}: <strong>{me.email}</strong>
        </p>
        <Field label={t('field.firstName')} required autoComplete="given-name" value={firstName} onChange={(e) => setFirstName(e.target.value)} error={fieldError(error, 'firstName')} />
        <Field label={t('field.lastName')} required autoComplete="family-name" value={lastName} onChange={(e) => setLastName(e.target.value)} error={fieldError(error, 'lastName')} />
        <SelectField label={t('account.language')} value={language} onChange={(e) => setLang(e.target.value as Language)}>
          <option value="de">Deutsch</option>
          <option value="en">English</option>
        </SelectField>
        <ProblemMessage error={error} />
        <Done text={done} />
        <button type="submit">{t('account.saveProfile')}</button>
      </form>
    </section>
  );
}

type Kind = Profile['notificationKinds'][number];
const KINDS: [Kind, MessageKey][] = [
  ['bookingDecided', 'account.kind.bookingDecided'],
  ['bookingCancelled', 'account.kind.bookingCancelled'],
  ['deliveryAtGate', 'account.kind.deliveryAtGate'],
];

/** Notification mails, opted into per kind (P6); each box saves at once. */
function Notifications({ me }: { me: Profile }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<MessageKey | ''>('');
  const [kinds, setKinds] = useState<Kind[]>(me.notificationKinds);
  return (
    <section className="card" aria-labelledby="notify-h">
      <h2 id="notify-h">{t('account.notifications')}</h2>
      <fieldset aria-describedby="notify-hint">
        <legend>{t('account.notificationKinds')}</legend>
        <p id="notify-hint" className="hint">
          {t('account.notificationsHint')}
        </p>
        {KINDS.map(([kind, label]) => (
          <label key={kind} className="check">
            <input
              type="checkbox"
              checked={kinds.includes(kind)}
              onChange={async (e) => {
                const before = kinds;
                const wanted = e.target.checked ? [...kinds, kind] : kinds.filter((k) => k !== kind);
                setKinds(wanted);
                setError(null);
                setDone('');
                try {
                  const profile = await unwrap(api.PATCH('/api/me', { body: { notificationKinds: wanted } }));
                  qc.setQueryData(['me'], profile);
                  setKinds(profile.notificationKinds);
                  setDone(profile.notificationKinds.length > 0 ? 'account.notificationsOn' : 'account.notificationsOff');
                } catch (err) {
                  setKinds(before);
                  setError(err);
                }
              }}
            />
            {t(label)}
          </label>
        ))}
      </fieldset>
      <ProblemMessage error={error} />
      <Done text={done} />
      <Briefings />
    </section>
  );
}

/**
 * The afternoon briefing (issue 18), opted into per project (P6). It sits
 * with the other mail opt-ins: "which mails do I get" is asked here, for
 * all projects at once, not on each project's screens.
 */
function Briefings() {
  const { t } = useI18n();
  const projects = useProjects();
  const items = projects.data?.items ?? [];
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>(null);
  if (items.length === 0) return null;
  return (
    <>
      <fieldset aria-describedby="briefing-hint">
        <legend>{t('account.briefing')}</legend>
        <p id="briefing-hint" className="hint">
          {t('account.briefingHint')}
        </p>
        {items.map((p) => (
          <BriefingBox
            key={p.id}
            projectId={p.id}
            project={p.name}
            onDone={(on) => {
              setError(null);
              setMessage(t(on ? 'account.briefingOn' : 'account.briefingOff', { project: p.name }));
            }}
            onError={(err) => {
              setMessage('');
              setError(err);
            }}
          />
        ))}
      </fieldset>
      <ProblemMessage error={error} />
      {message && (
        <p className="notice success" role="status">
          {message}
        </p>
      )}
    </>
  );
}

function BriefingBox({ projectId, project, onDone, onError }: { projectId: string; project: string; onDone: (on: boolean) => void; onError: (e: unknown) => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const briefing = useQuery({ queryKey: ['briefing', projectId], queryFn: () => getBriefing(projectId) });
  const [busy, setBusy] = useState(false);
  return (
    <label className="check">
      <input
        type="checkbox"
        checked={briefing.data?.enabled ?? false}
        disabled={!briefing.data || busy}
        onChange={async (e) => {
          const wanted = e.target.checked;
          setBusy(true);
          try {
            const saved = await putBriefing(projectId, wanted);
            qc.setQueryData(['briefing', projectId], saved);
            onDone(saved.enabled);
          } catch (err) {
            onError(err);
          } finally {
            setBusy(false);
          }
        }}
      />
      {t('account.briefingFor', { project })}
    </label>
  );
}

/** Sign out everywhere: every session ends, this one too (a lost phone, a shared computer). */
function Sessions() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  return (
    <section className="card" aria-labelledby="sessions-h">
      <h2 id="sessions-h">{t('account.sessions')}</h2>
      <p>{t('account.sessionsText')}</p>
      <ProblemMessage error={error} />
      <button
        type="button"
        className="danger"
        onClick={async () => {
          setError(null);
          try {
            await unwrap(api.DELETE('/api/me/sessions'));
            clearTokens();
            qc.clear();
            window.location.replace('/sign-in?everywhere=1');
          } catch (err) {
            setError(err);
          }
        }}
      >
        {t('account.signOutEverywhere')}
      </button>
    </section>
  );
}

function Logins() {
  const { t, lang } = useI18n();
  const logins = useQuery({ queryKey: ['logins'], queryFn: () => unwrap(api.GET('/api/me/logins', { params: { query: { limit: 20 } } })) });
  const fmt = new Intl.DateTimeFormat(lang === 'de' ? 'de-AT' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
  return (
    <section className="card" aria-labelledby="logins-h">
      <h2 id="logins-h">{t('account.logins')}</h2>
      <p className="hint">{t('account.loginsHint')}</p>
      {logins.error ? (
        <ProblemMessage error={logins.error} />
      ) : !logins.data ? (
        <Loading />
      ) : (
        <ul>
          {logins.data.items.map((l) => (
            <li key={l.at}>
              <time dateTime={l.at}>{fmt.format(new Date(l.at))}</time>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The personal calendar feed per project; the chosen project is in the URL (`?feed=`). */
function CalendarFeed() {
  const { t } = useI18n();
  const projects = useProjects();
  const [params, setParams] = useSearchParams();
  const items = projects.data?.items ?? [];
  const projectId = params.get('feed') ?? items[0]?.id ?? '';
  const [url, setUrl] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<MessageKey | ''>('');
  return (
    <section className="card" aria-labelledby="feed-h">
      <h2 id="feed-h">{t('account.feed')}</h2>
      <p className="hint">{t('account.feedHint')}</p>
      {items.length === 0 ? (
        <p>{t('account.feedNoProjects')}</p>
      ) : (
        <div className="form">
          <SelectField
            label={t('account.feedProject')}
            value={projectId}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              next.set('feed', e.target.value);
              setParams(next, { replace: true });
              setUrl('');
              setDone('');
              setError(null);
            }}
          >
            {items.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </SelectField>
          {url && (
            <Field label={t('account.feedLink')} readOnly value={url} onFocus={(e) => e.target.select()} hint={t('account.feedOnce')} />
          )}
          <ProblemMessage error={error} />
          <Done text={done} />
          <div className="actions">
            <button
              type="button"
              onClick={async () => {
                setError(null);
                setDone('');
                try {
                  const feed = await unwrap(api.POST('/api/projects/{projectId}/calendar-feed', { params: { path: { projectId } } }));
                  setUrl(new URL(feed.url, window.location.origin).href);
                  setDone('account.feedCreated');
                } catch (err) {
                  setError(err);
                }
              }}
            >
              {url ? t('account.feedRenew') : t('account.feedShow')}
            </button>
            {url && (
              <button
                type="button"
                className="secondary"
                onClick={async () => {
                  try {
                    await navigator.clipboard.writeText(url);
                    setDone('account.feedCopied');
                  } catch {
                    setDone('account.feedCopyFailed');
                  }
                }}
              >
                {t('account.feedCopy')}
              </button>
            )}
            <button
              type="button"
              className="danger"
              onClick={async () => {
                setError(null);
                setDone('');
                const { response } = await api.DELETE('/api/projects/{projectId}/calendar-feed', { params: { path: { projectId } } });
                setUrl('');
                if (response.ok) setDone('account.feedRevoked');
                else if (response.status === 404) setDone('account.feedNone');
                else setError(new ApiProblem(response.status, response.statusText));
              }}
            >
              {t('account.feedRevoke')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}

function PasswordForm() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<MessageKey | ''>('');
  const wrongCurrent = error instanceof ApiProblem && error.status === 403 ? t('account.wrongPassword') : fieldError(error, 'currentPassword');
  return (
    <section className="card" aria-labelledby="password-h">
      <h2 id="password-h">{t('account.password')}</h2>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          setDone('');
          try {
            await unwrap(api.POST('/api/me/password', { body: { currentPassword: current, newPassword: next } }));
            setCurrent('');
            setNext('');
            setDone('account.passwordChanged');
          } catch (err) {
            setError(err);
          }
        }}
      >
        <Field label={t('account.currentPassword')} type="password" autoComplete="current-password" required value={current} onChange={(e) => setCurrent(e.target.value)} error={wrongCurrent} />
        <Field
          label={t('account.newPassword')}
          type="password"
          autoComplete="new-password"
          required
          hint={t('field.passwordHint')}
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={fieldError(error, 'newPassword')}
        />
        {error instanceof ApiProblem && error.status !== 403 && error.errors.length === 0 && <ProblemMessage error={error} />}
        {!(error instanceof ApiProblem) && <ProblemMessage error={error} />}
        <Done text={done} />
        <p className="hint">{t('account.otherSessions')}</p>
        <button type="submit">{t('account.changePassword')}</button>
      </form>
    </section>
  );
}

function Export() {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<MessageKey | ''>('');
  return (
    <section className="card" aria-labelledby="export-h">
      <h2 id="export-h">{t('account.export')}</h2>
      <p>{t('account.exportText')}</p>
      <ProblemMessage error={error} />
      <Done text={done} />
      <button
        type="button"
        onClick={async () => {
          setError(null);
          setDone('');
          try {
            const data = await unwrap(api.GET('/api/me/export', { parseAs: 'blob' }));
            const href = URL.createObjectURL(new Blob([data as Blob], { type: 'application/json' }));
            const a = document.createElement('a');
            a.href = href;
            a.download = `insite-lms-meine-daten-${new Date().toISOString().slice(0, 10)}.json`;
            document.body.append(a);
            a.click();
            a.remove();
            setTimeout(() => URL.revokeObjectURL(href), 10_000);
            setDone('account.exported');
          } catch (err) {
            setError(err);
          }
        }}
      >
        {t('account.exportButton')}
      </button>
    </section>
  );
}

function DeleteAccount() {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const wrong = error instanceof ApiProblem && error.status === 403 ? t('account.wrongPassword') : fieldError(error, 'password');
  return (
    <section className="card danger-zone" aria-labelledby="delete-h">
      <h2 id="delete-h">{t('account.delete')}</h2>
      <p>{t('account.deleteErased')}</p>
      <p>{t('account.deleteKept')}</p>
      <p>{t('account.deleteFinal')}</p>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            await unwrap(api.DELETE('/api/me', { body: { password } }));
            // A fresh load: nothing of the person stays in memory, and no
            // signed-in route redirects before the notice is shown.
            clearTokens();
            qc.clear();
            window.location.replace('/sign-in?deleted=1');
          } catch (err) {
            setError(err);
          }
        }}
      >
        <Field label={t('account.deletePassword')} type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} error={wrong} />
        {error instanceof ApiProblem && error.status === 409 && <p className="notice">{t('account.deleteBlocked')}</p>}
        {!(error instanceof ApiProblem && error.status === 403) && <ProblemMessage error={error} />}
        <button type="submit" className="danger">
          {t('account.deleteButton')}
        </button>
      </form>
    </section>
  );
}
