import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useProject } from '../../app/Layout';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { Field, fieldError, PageTitle, ProblemMessage, SelectField } from '../../shared/ui';

export const KINDS = ['unloadingZone', 'crane', 'hoist', 'gate', 'storageArea', 'other'] as const;
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/**
 * The minimum set-up the daily workflow needs: resources with opening hours,
 * and a link to members and invitations (their own screen). Issue 17 replaces
 * this with the full project set-up.
 */
export default function SetupPage() {
  const { t } = useI18n();
  const { project, resources } = useProject();
  return (
    <div className="page">
      <PageTitle title={t('setup.title')}>{t('setup.title')}</PageTitle>
      <section className="card" aria-labelledby="res-h">
        <h2 id="res-h">{t('setup.resources')}</h2>
        {resources.length === 0 ? (
          <p>{t('setup.noResources')}</p>
        ) : (
          <ul>
            {resources.map((r) => (
              <li key={r.id}>
                {r.name} ({t(`kind.${r.kind}` as MessageKey)})
              </li>
            ))}
          </ul>
        )}
        <NewResource projectId={project.id} />
      </section>
      <section className="card" aria-labelledby="inv-h">
        <h2 id="inv-h">{t('setup.invite')}</h2>
        <p>
          <Link to="../members">{t('setup.toMembers')}</Link>
        </p>
      </section>
    </div>
  );
}

function NewResource({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [kind, setKind] = useState<(typeof KINDS)[number]>('unloadingZone');
  const [name, setName] = useState('');
  const [from, setFrom] = useState('07:00');
  const [to, setTo] = useState('17:00');
  const [days, setDays] = useState<string[]>(['monday', 'tuesday', 'wednesday', 'thursday', 'friday']);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState('');
  return (
    <form
      className="form"
      aria-labelledby="new-res-h"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        try {
          const openingHours = Object.fromEntries(days.map((d) => [d, [{ from, to }]]));
          const r = await unwrap(
            api.POST('/api/projects/{projectId}/resources', { params: { path: { projectId } }, body: { kind, name, openingHours: openingHours as never } }),
          );
          await qc.invalidateQueries({ queryKey: ['resources', projectId] });
          setDone(t('setup.resourceAdded', { name: r.name }));
          setName('');
        } catch (err) {
          setError(err);
        }
      }}
    >
      <h3 id="new-res-h">{t('setup.newResource')}</h3>
      <SelectField label={t('setup.kind')} value={kind} onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])}>
        {KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`kind.${k}` as MessageKey)}
          </option>
        ))}
      </SelectField>
      <Field label={t('setup.resourceName')} required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} />
      <fieldset>
        <legend>{t('setup.days')}</legend>
        <div className="days">
          {DAYS.map((d) => (
            <label key={d} className="check">
              <input
                type="checkbox"
                checked={days.includes(d)}
                onChange={(e) => setDays(e.target.checked ? [...days, d] : days.filter((x) => x !== d))}
              />
              {t(`day.${d}` as MessageKey)}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="row">
        <Field label={t('setup.opensAt')} type="time" required value={from} onChange={(e) => setFrom(e.target.value)} />
        <Field label={t('setup.closesAt')} type="time" required value={to} onChange={(e) => setTo(e.target.value)} />
      </div>
      <ProblemMessage error={error} />
      {done && <p role="status">{done}</p>}
      <button type="submit">{t('setup.addResource')}</button>
    </form>
  );
}
