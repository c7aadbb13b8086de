import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { clearTokens } from '../../api/session';
import { useAuth } from '../../app/auth';
import { useI18n } from '../../shared/i18n';
import { formatDate } from '../../shared/time';
import { Field, Loading, PageTitle, ProblemMessage } from '../../shared/ui';

/** The organization (its admins): its users and projects, and deleting it with a typed confirmation (P8, P11). */
export default function OrganizationPage() {
  const { t } = useI18n();
  const { me } = useAuth();
  const organizationId = me?.organizationId ?? '';
  const org = useQuery({
    queryKey: ['organization', organizationId],
    queryFn: () => unwrap(api.GET('/api/organizations/{organizationId}', { params: { path: { organizationId } } })),
    enabled: organizationId !== '',
  });
  return (
    <div className="page">
      <PageTitle title={t('org.title')}>{org.data?.name ?? t('org.title')}</PageTitle>
      {!organizationId ? (
        <p className="notice">{t('org.none', { company: me?.companyName ?? '' })}</p>
      ) : org.error ? (
        <ProblemMessage error={org.error} />
      ) : !org.data ? (
        <Loading />
      ) : (
        <OrganizationDetails org={org.data} />
      )}
    </div>
  );
}

function OrganizationDetails({ org }: { org: Schemas['OrganizationView'] }) {
  const { t, lang } = useI18n();
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return (
    <>
      <section className="card" aria-labelledby="org-facts-h">
        <h2 id="org-facts-h">{t('org.facts')}</h2>
        <dl className="details">
          <div>
            <dt>{t('org.vatId')}</dt>
            <dd>{org.vatId ?? '–'}</dd>
          </div>
          <div>
            <dt>{t('org.country')}</dt>
            <dd>{org.country ?? '–'}</dd>
          </div>
          <div>
            <dt>{t('org.since')}</dt>
            <dd>{formatDate(org.createdAt, lang, tz)}</dd>
          </div>
        </dl>
      </section>
      <section className="card" aria-labelledby="org-users-h">
        <h2 id="org-users-h">{t('org.users')}</h2>
        <p className="hint">{t('org.usersHint')}</p>
        <div className="table-scroll" tabIndex={0} role="region" aria-label={t('org.users')}>
          <table className="list-table">
            <thead>
              <tr>
                <th scope="col">{t('members.name')}</th>
                <th scope="col">{t('field.email')}</th>
              </tr>
            </thead>
            <tbody>
              {org.users.map((u) => (
                <tr key={u.id}>
                  <th scope="row">
                    {u.firstName} {u.lastName}
                  </th>
                  <td>{u.email}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="org-projects-h">
        <h2 id="org-projects-h">{t('org.projects')}</h2>
        {org.projects.length === 0 ? (
          <p>{t('org.noProjects')}</p>
        ) : (
          <ul>
            {org.projects.map((p) => (
              <li key={p.id}>
                <Link to={`/p/${p.id}/board`}>{p.name}</Link>
                {p.address && <span className="muted"> · {p.address}</span>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <DeleteOrganization org={org} />
    </>
  );
}

function DeleteOrganization({ org }: { org: Schemas['OrganizationView'] }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [typed, setTyped] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <section className="card danger-zone" aria-labelledby="org-delete-h">
      <h2 id="org-delete-h">{t('org.delete')}</h2>
      <p>{t('org.deleteWhat', { projects: org.projects.length, users: org.users.length })}</p>
      <p>{t('org.deleteFinal')}</p>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          if (typed.trim() !== org.name) {
            setMismatch(true);
            return;
          }
          setMismatch(false);
          try {
            await unwrap(api.DELETE('/api/organizations/{organizationId}', { params: { path: { organizationId: org.id } } }));
            // A fresh load: nothing of the organization stays in memory.
            clearTokens();
            qc.clear();
            window.location.replace('/sign-in?orgDeleted=1');
          } catch (err) {
            setError(err);
          }
        }}
      >
        <Field
          label={t('org.typeName', { name: org.name })}
          autoComplete="off"
          required
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          error={mismatch ? t('org.nameMismatch') : undefined}
        />
        <ProblemMessage error={error} />
        <button type="submit" className="danger">
          {t('org.deleteButton')}
        </button>
      </form>
    </section>
  );
}
