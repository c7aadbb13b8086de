import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useProjects } from '../../app/Layout';
import { useI18n } from '../../shared/i18n';
import { Field, fieldError, Loading, PageTitle, ProblemMessage, SelectField } from '../../shared/ui';
import { ZONES } from './zones';

/** The person's projects; create one (admins); open one. */
export function ProjectsPage() {
  const { t } = useI18n();
  const projects = useProjects();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [timeZone, setTimeZone] = useState('Europe/Vienna');
  const [error, setError] = useState<unknown>(null);
  // Set by the set-up screen after a project was deleted, and by the members screen after leaving one.
  const [params] = useSearchParams();
  const deleted = params.get('deleted');
  const left = params.get('left');
  return (
    <div className="page">
      <PageTitle title={t('projects.title')}>{t('projects.title')}</PageTitle>
      {deleted && (
        <p className="notice" role="status">
          {t('deleteProject.done', { name: deleted })}
        </p>
      )}
      {left && (
        <p className="notice success" role="status">
          {t('projects.left', { project: left })}
        </p>
      )}
      {projects.error && <ProblemMessage error={projects.error} />}
      {!projects.data ? (
        <Loading />
      ) : projects.data.items.length === 0 ? (
        <p>{t('projects.none')}</p>
      ) : (
        <ul className="project-list">
          {projects.data.items.map((p) => (
            <li key={p.id} className="card">
              <h2>
                <Link to={`/p/${p.id}/board`}>{p.name}</Link>
              </h2>
              <p>{p.address}</p>
              <p className="muted">
                {t('projects.timeZone')}: {p.timeZone} · {t(`role.${p.role}`)}
              </p>
            </li>
          ))}
        </ul>
      )}
      <section className="card" aria-labelledby="new-project">
        <h2 id="new-project">{t('projects.create')}</h2>
        <form
          className="form"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              const p = await unwrap(api.POST('/api/projects', { body: { name, address: address || undefined, timeZone } }));
              await qc.invalidateQueries({ queryKey: ['projects'] });
              navigate(`/p/${p.id}/setup`);
            } catch (err) {
              setError(err);
            }
          }}
        >
          <Field label={t('projects.name')} required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} />
          <Field label={t('projects.address')} value={address} onChange={(e) => setAddress(e.target.value)} autoComplete="street-address" />
          <SelectField label={t('projects.timeZone')} value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
            {ZONES.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </SelectField>
          <ProblemMessage error={error} />
          <button type="submit">{t('projects.createSubmit')}</button>
        </form>
      </section>
    </div>
  );
}
