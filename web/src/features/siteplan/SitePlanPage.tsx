import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useProject } from '../../app/Layout';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { addDays, formatSiteDate, todayIn } from '../../shared/time';
import { Loading, PageTitle, ProblemMessage } from '../../shared/ui';
import { uploadFile, uploadPlanRevision } from '../../shared/upload';
import { getSitePlan, LEVELS, type PlacedResource, type PlanInfo } from './contract';
import { PlanEditor } from './PlanEditor';
import { PlanSurface, type Marker } from './PlanSurface';
import { GLYPH, loadText } from './levels';
import '../../shared/admin.css';
import './siteplan.css';

/**
 * The site plan (issue 18): the plan image with every placed resource
 * coloured by the day's load, a table of the same for screen readers and
 * small screens, and the editor for owners and managers. Date, plan and
 * edit mode are in the URL.
 */
export default function SitePlanPage() {
  const { t, lang } = useI18n();
  const { project, canManage } = useProject();
  const tz = project.timeZone;
  const [params, setParams] = useSearchParams();
  const date = params.get('date') ?? todayIn(tz);
  const editing = canManage && params.get('edit') === '1';
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };
  const day = useQuery({
    queryKey: ['site-plan', project.id, date],
    queryFn: () => getSitePlan(project.id, date),
    refetchInterval: editing ? false : 60_000,
  });
  const plans = day.data?.plans ?? [];
  const plan = plans.find((p) => p.fileId === params.get('plan')) ?? plans[0];
  const title = `${t('sitePlan.title')} – ${formatSiteDate(date, lang, tz)}`;

  return (
    <div className="page site-plan">
      <PageTitle title={title}>{title}</PageTitle>
      <div className="toolbar" role="group" aria-label={t('sitePlan.controls')}>
        <button type="button" className="secondary" onClick={() => update({ date: addDays(date, -1) })}>
          {t('board.prevDay')}
        </button>
        <button type="button" className="secondary" onClick={() => update({ date: null })}>
          {t('board.today')}
        </button>
        <button type="button" className="secondary" onClick={() => update({ date: addDays(date, 1) })}>
          {t('board.nextDay')}
        </button>
        <label>
          {t('board.date')}
          <input type="date" value={date} onChange={(e) => e.target.value && update({ date: e.target.value })} />
        </label>
        {plans.length > 1 && (
          <label>
            {t('sitePlan.plan')}
            <select value={plan?.fileId} onChange={(e) => update({ plan: e.target.value })}>
              {plans.map((p) => (
                <option key={p.fileId} value={p.fileId}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        )}
        {canManage && (
          <button type="button" className={editing ? '' : 'secondary'} aria-pressed={editing} onClick={() => update({ edit: editing ? null : '1' })}>
            {t('sitePlan.edit')}
          </button>
        )}
      </div>
      {project.accessInstructions && (
        <section className="notice access" aria-labelledby="site-access-h">
          <h2 id="site-access-h">{t('sitePlan.siteAccess')}</h2>
          <p className="pre-line">{project.accessInstructions}</p>
        </section>
      )}
      {day.error && <ProblemMessage error={day.error} />}
      {!day.data ? (
        !day.error && <Loading />
      ) : (
        <>
          {editing && <UploadPlan projectId={project.id} plan={plan} onUploaded={(id) => update({ plan: id })} />}
          {!plan ? (
            <p className="notice">{canManage ? t('sitePlan.noPlanManager') : t('sitePlan.noPlan')}</p>
          ) : editing ? (
            <PlanEditor key={`${plan.fileId}-${date}`} projectId={project.id} plan={plan} day={day.data} />
          ) : (
            <ReadOnlyPlan plan={plan} resources={day.data.resources} date={date} />
          )}
          <Legend />
          <ResourceTable resources={day.data.resources} plans={plans} date={date} />
        </>
      )}
    </div>
  );
}

function dayLink(resourceId: string, date: string): string {
  return `../board?${new URLSearchParams({ date, res: resourceId })}`;
}

function ReadOnlyPlan({ plan, resources, date }: { plan: PlanInfo; resources: PlacedResource[]; date: string }) {
  const { t } = useI18n();
  const markers: Marker[] = resources.flatMap((r) => {
    const p = r.placement;
    if (!p || p.planId !== plan.fileId) return [];
    return [
      {
        id: r.resourceId,
        name: r.name,
        level: r.load.level,
        shape: p.shape,
        points: p.points,
        label: `${r.name} – ${loadText(r, t)}. ${t('sitePlan.opensDay')}`,
        href: dayLink(r.resourceId, date),
      },
    ];
  });
  return (
    <>
      <p className="hint">{markers.length > 0 ? t('sitePlan.readHint') : t('sitePlan.nothingPlaced')}</p>
      <PlanSurface plan={plan} markers={markers} />
    </>
  );
}

function Legend() {
  const { t } = useI18n();
  return (
    <div className="plan-legend">
      <h2 id="legend-h">{t('sitePlan.legend')}</h2>
      <ul aria-labelledby="legend-h">
        {LEVELS.map((l) => (
          <li key={l}>
            <span className={`swatch level-${l}`} aria-hidden="true">
              {GLYPH[l]}
            </span>
            <span>
              <strong>{t(`sitePlan.level.${l}` as MessageKey)}</strong> – {t(`sitePlan.levelHint.${l}` as MessageKey)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function ResourceTable({ resources, plans, date }: { resources: PlacedResource[]; plans: PlanInfo[]; date: string }) {
  const { t, lang } = useI18n();
  const { project } = useProject();
  const where = (r: PlacedResource) => {
    const p = r.placement;
    if (!p) return t('sitePlan.notPlaced');
    const name = plans.find((x) => x.fileId === p.planId)?.name ?? '';
    return p.shape === 'point' ? t('sitePlan.pointOn', { plan: name }) : t('sitePlan.areaOn', { plan: name });
  };
  return (
    <section aria-labelledby="plan-list-h">
      <h2 id="plan-list-h">{t('sitePlan.listTitle')}</h2>
      {resources.length === 0 ? (
        <p>{t('board.noResources')}</p>
      ) : (
        <div className="table-scroll" role="region" aria-labelledby="plan-list-h" tabIndex={0}>
          <table className="list-table plan-table">
            <caption className="sr-only">{t('sitePlan.listCaption', { date: formatSiteDate(date, lang, project.timeZone) })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('board.resource')}</th>
                <th scope="col">{t('sitePlan.load')}</th>
                <th scope="col">{t('sitePlan.access')}</th>
                <th scope="col">{t('sitePlan.where')}</th>
              </tr>
            </thead>
            <tbody>
              {resources.map((r) => (
                <tr key={r.resourceId}>
                  <th scope="row">
                    <Link to={dayLink(r.resourceId, date)}>{r.name}</Link>
                    <span className="kind-label">{t(`kind.${r.kind}` as MessageKey)}</span>
                  </th>
                  <td>
                    <span className={`swatch small level-${r.load.level}`} aria-hidden="true">
                      {GLYPH[r.load.level]}
                    </span>{' '}
                    {loadText(r, t)}
                  </td>
                  <td className="pre-line">{r.accessInstructions ?? '–'}</td>
                  <td>{where(r)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/**
 * Uploads a plan (PNG, JPEG, or a PDF whose first page is rendered to PNG
 * here) or a new revision of the plan shown.
 */
function UploadPlan({ projectId, plan, onUploaded }: { projectId: string; plan?: PlanInfo; onUploaded: (id: string) => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const newId = useId();
  const revId = useId();
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const take = async (file: File, revision: boolean) => {
    setError(null);
    setBusy(true);
    try {
      let image = file;
      if (file.type === 'application/pdf' || /\.pdf$/i.test(file.name)) {
        setStatus(t('sitePlan.converting', { name: file.name }));
        const { pdfFirstPageToPng } = await import('./pdf');
        image = await pdfFirstPageToPng(file);
      }
      setStatus(t('sitePlan.uploading', { name: image.name }));
      const progress = () => undefined;
      const stored =
        revision && plan
          ? await uploadPlanRevision(projectId, plan.fileId, image, progress)
          : await uploadFile(projectId, image, { category: 'sitePlan', restricted: false, onProgress: progress });
      // A revision keeps the file id: its old image must not be shown from the cache.
      if (revision) qc.removeQueries({ queryKey: ['plan-image', stored.id] });
      await qc.invalidateQueries({ queryKey: ['site-plan', projectId] });
      await qc.invalidateQueries({ queryKey: ['files', projectId] });
      setStatus(revision ? t('sitePlan.revised', { name: stored.name }) : t('sitePlan.uploaded', { name: stored.name }));
      onUploaded(stored.id);
    } catch (err) {
      setStatus('');
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="plan-upload-h">
      <h2 id="plan-upload-h">{t('sitePlan.uploadTitle')}</h2>
      <p className="hint">{t('sitePlan.uploadHint')}</p>
      <div className="actions pickers">
        <input
          id={newId}
          className="file-input"
          type="file"
          accept="image/png,image/jpeg,application/pdf"
          disabled={busy}
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void take(f, false);
          }}
        />
        <label htmlFor={newId} className="button">
          {t('sitePlan.uploadNew')}
        </label>
        {plan && (
          <>
            <input
              id={revId}
              className="file-input"
              type="file"
              accept="image/png,image/jpeg,application/pdf"
              disabled={busy}
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void take(f, true);
              }}
            />
            <label htmlFor={revId} className="button secondary">
              {t('sitePlan.uploadRevision', { name: plan.name })}
            </label>
          </>
        )}
      </div>
      <p className="status-line" role="status">
        {status}
      </p>
      <ProblemMessage error={error} />
    </section>
  );
}
