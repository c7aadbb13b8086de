import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, unwrap, type Project, type Resource } from '../../api/client';
import { useProject } from '../../app/Layout';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { formatNumber } from '../../shared/time';
import { ConfirmDialog, Dialog, Field, fieldError, PageTitle, ProblemMessage, SelectField, TextAreaField } from '../../shared/ui';
import '../../shared/admin.css';
import { DAYS, type Hours } from '../../shared/kinds';
import { ResourceForm } from './ResourceForm';
import { ZONES } from './zones';

export { KINDS } from '../../shared/kinds';

/**
 * Project set-up (owners and managers): resources with their rules, the
 * project's settings, and deleting the project (owners). The resource being
 * edited is in the URL (`?edit=<id>`), so a reload keeps it open.
 */
export default function SetupPage() {
  const { t } = useI18n();
  const { project, resources, canManage } = useProject();
  const [params, setParams] = useSearchParams();
  const editId = params.get('edit');
  const editing = resources.find((r) => r.id === editId);
  const [done, setDone] = useState('');
  const [deleting, setDeleting] = useState<Resource | null>(null);
  const statusRef = useRef<HTMLParagraphElement>(null);

  useEffect(() => {
    if (done) statusRef.current?.focus();
  }, [done]);

  const finish = (message: string) => {
    setDone(message);
    setParams({}, { replace: true });
  };

  return (
    <div className="page">
      <PageTitle title={t('setup.title')}>{t('setup.title')}</PageTitle>
      {!canManage && <p className="notice">{t('setup.readOnly')}</p>}
      <p className="status-line" role="status" tabIndex={-1} ref={statusRef}>
        {done}
      </p>
      <section className="card" aria-labelledby="res-h">
        <h2 id="res-h">{t('setup.resources')}</h2>
        {resources.length === 0 ? <p>{t('setup.noResources')}</p> : <ResourceTable resources={resources} canManage={canManage} onDelete={setDeleting} />}
        {canManage &&
          (editing ? (
            <ResourceForm key={editing.id} projectId={project.id} tz={project.timeZone} resource={editing} onDone={finish} />
          ) : (
            <ResourceForm key="new" projectId={project.id} tz={project.timeZone} onDone={setDone} />
          ))}
        {editing && (
          <button type="button" className="secondary" onClick={() => setParams({}, { replace: true })}>
            {t('resource.cancelEdit')}
          </button>
        )}
      </section>
      {deleting && <DeleteResource projectId={project.id} resource={deleting} onClose={() => setDeleting(null)} onDone={finish} />}
      {canManage && <ProjectSettings project={project} onDone={setDone} />}
      <section className="card" aria-labelledby="inv-h">
        <h2 id="inv-h">{t('setup.invite')}</h2>
        <p>
          <Link to="../members">{t('setup.toMembers')}</Link>
        </p>
      </section>
      {canManage && <DeleteProject project={project} resources={resources} />}
    </div>
  );
}

function hoursSummary(r: Resource, t: (k: MessageKey, v?: Record<string, string | number>) => string): string {
  const hours = r.openingHours as Hours | null | undefined;
  if (!hours) return t('resource.alwaysOpen');
  // Runs of consecutive days with the same windows read as one: "Di–Fr 07:00–17:00".
  const runs: { first: string; last: string; windows: string }[] = [];
  let previousOpen = false;
  for (const d of DAYS) {
    const w = hours[d] ?? [];
    if (w.length === 0) {
      previousOpen = false;
      continue;
    }
    const windows = w.map((x) => `${x.from}–${x.to}`).join(', ');
    const run = runs[runs.length - 1];
    if (previousOpen && run.windows === windows) run.last = d;
    else runs.push({ first: d, last: d, windows });
    previousOpen = true;
  }
  if (runs.length === 0) return t('resource.neverOpen');
  const day = (d: string) => t(`day.${d}` as MessageKey);
  return runs.map((r) => `${day(r.first)}${r.last !== r.first ? `–${day(r.last)}` : ''} ${r.windows}`).join(' · ');
}

/** A site date (YYYY-MM-DD) short, e.g. "7. Dez. 2026"; a calendar date has no time zone. */
function shortDate(date: string, lang: string): string {
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-AT' : 'en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${date}T12:00:00Z`),
  );
}

function ResourceTable({ resources, canManage, onDelete }: { resources: Resource[]; canManage: boolean; onDelete: (r: Resource) => void }) {
  const { t, lang } = useI18n();
  const [, setParams] = useSearchParams();
  return (
    <div className="table-scroll">
      <table className="list-table resource-table">
        <caption className="sr-only">{t('setup.resources')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('setup.resourceName')}</th>
            <th scope="col">{t('resource.hours')}</th>
            <th scope="col">{t('resource.closures')}</th>
            <th scope="col">{t('resource.rules')}</th>
            {canManage && <th scope="col">{t('resource.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {resources.map((r) => (
            <tr key={r.id}>
              <th scope="row">
                {r.name}
                <span className="kind-label">{t(`kind.${r.kind}` as MessageKey)}</span>
              </th>
              <td>{hoursSummary(r, t)}</td>
              <td>{r.closedDates.length === 0 ? '–' : r.closedDates.map((d) => shortDate(d, lang)).join(', ')}</td>
              <td>
                {t('resource.rulesSummary', {
                  capacity: formatNumber(r.capacity, lang),
                  buffer: formatNumber(r.bufferMinutes, lang),
                  min: formatNumber(r.minBookingMinutes, lang),
                  max: formatNumber(r.maxBookingMinutes, lang),
                })}
              </td>
              {canManage && (
                <td>
                  <div className="actions">
                    <button type="button" className="secondary" aria-label={`${t('resource.edit')}: ${r.name}`} onClick={() => setParams({ edit: r.id }, { replace: true })}>
                      {t('resource.edit')}
                    </button>
                    <button type="button" className="secondary" aria-label={`${t('resource.delete')}: ${r.name}`} onClick={() => onDelete(r)}>
                      {t('resource.delete')}
                    </button>
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function DeleteResource({ projectId, resource, onClose, onDone }: { projectId: string; resource: Resource; onClose: () => void; onDone: (m: string) => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  return (
    <ConfirmDialog
      title={t('resource.deleteTitle', { name: resource.name })}
      text={t('resource.deleteText')}
      confirmLabel={t('resource.deleteConfirm')}
      onClose={onClose}
      onConfirm={async () => {
        await unwrap(api.DELETE('/api/projects/{projectId}/resources/{resourceId}', { params: { path: { projectId, resourceId: resource.id } } }));
        await qc.invalidateQueries({ queryKey: ['resources', projectId] });
        onClose();
        onDone(t('resource.deleted', { name: resource.name }));
      }}
    />
  );
}

function ProjectSettings({ project, onDone }: { project: Project; onDone: (m: string) => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const [name, setName] = useState(project.name);
  const [address, setAddress] = useState(project.address ?? '');
  const [timeZone, setTimeZone] = useState(project.timeZone);
  const [approval, setApproval] = useState(project.settings.bookingApprovalRequired ?? true);
  const [cutoff, setCutoff] = useState(String(project.settings.bookingCutoffHours ?? 0));
  const [grace, setGrace] = useState(String(project.settings.noShowGraceMinutes ?? 30));
  const [access, setAccess] = useState(project.accessInstructions ?? '');
  const [error, setError] = useState<unknown>(null);
  const zones = ZONES.includes(project.timeZone) ? ZONES : [project.timeZone, ...ZONES];
  return (
    <section className="card" aria-labelledby="settings-h">
      <h2 id="settings-h">{t('settings.title')}</h2>
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setError(null);
          try {
            const p = await unwrap(
              api.PATCH('/api/projects/{projectId}', {
                params: { path: { projectId: project.id } },
                body: {
                  name,
                  address: address.trim() ? address : null,
                  accessInstructions: access.trim() ? access : null,
                  timeZone,
                  settings: { bookingApprovalRequired: approval, bookingCutoffHours: Number(cutoff), noShowGraceMinutes: Number(grace) },
                },
              }),
            );
            qc.setQueryData(['project', project.id], p);
            await qc.invalidateQueries({ queryKey: ['projects'] });
            onDone(t('settings.saved'));
          } catch (err) {
            setError(err);
          }
        }}
      >
        <Field label={t('projects.name')} required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} />
        <Field label={t('projects.address')} value={address} onChange={(e) => setAddress(e.target.value)} autoComplete="street-address" error={fieldError(error, 'address')} />
        <TextAreaField
          label={t('settings.access')}
          hint={t('settings.accessHint')}
          maxLength={1000}
          rows={3}
          value={access}
          onChange={(e) => setAccess(e.target.value)}
          error={fieldError(error, 'accessInstructions')}
        />
        <SelectField label={t('projects.timeZone')} value={timeZone} onChange={(e) => setTimeZone(e.target.value)}>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </SelectField>
        <Field
          label={t('settings.cutoff')}
          hint={t('settings.cutoffHint')}
          type="number"
          min={0}
          required
          value={cutoff}
          onChange={(e) => setCutoff(e.target.value)}
          error={fieldError(error, 'settings.bookingCutoffHours')}
        />
        <Field
          label={t('settings.grace')}
          hint={t('settings.graceHint')}
          type="number"
          min={0}
          required
          value={grace}
          onChange={(e) => setGrace(e.target.value)}
          error={fieldError(error, 'settings.noShowGraceMinutes')}
        />
        <label className="check">
          <input type="checkbox" checked={approval} onChange={(e) => setApproval(e.target.checked)} />
          {t('settings.approval')}
        </label>
        <ProblemMessage error={error} />
        <button type="submit">{t('settings.save')}</button>
      </form>
    </section>
  );
}

/** Deleting a project names what goes with it, and asks for the project's name. */
function DeleteProject({ project, resources }: { project: Project; resources: Resource[] }) {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<unknown>(null);
  const isOwner = project.role === 'owner';
  const members = useQuery({
    queryKey: ['members', project.id],
    queryFn: () => unwrap(api.GET('/api/projects/{projectId}/members', { params: { path: { projectId: project.id }, query: { limit: 200 } } })),
    enabled: open,
  });
  const files = useQuery({
    queryKey: ['files-count', project.id],
    queryFn: () => unwrap(api.GET('/api/projects/{projectId}/files', { params: { path: { projectId: project.id }, query: { limit: 200 } } })),
    enabled: open,
  });
  const count = (items: unknown[] | undefined, more: boolean) => (items ? formatNumber(items.length, lang) + (more ? '+' : '') : '…');
  return (
    <section className="card danger-zone" aria-labelledby="delete-h">
      <h2 id="delete-h">{t('deleteProject.title')}</h2>
      {isOwner ? (
        <>
          <p>{t('deleteProject.intro')}</p>
          <button type="button" className="danger" onClick={() => setOpen(true)}>
            {t('deleteProject.open')}
          </button>
        </>
      ) : (
        <p className="notice">{t('deleteProject.ownersOnly')}</p>
      )}
      <Dialog
        open={open}
        title={t('deleteProject.confirmTitle', { name: project.name })}
        onClose={() => {
          setOpen(false);
          setTyped('');
          setError(null);
        }}
      >
        <p>{t('deleteProject.whatGoes')}</p>
        <ul>
          <li>{t('deleteProject.resources', { n: formatNumber(resources.length, lang) })}</li>
          <li>{t('deleteProject.members', { n: count(members.data?.items, !!members.data?.next) })}</li>
          <li>{t('deleteProject.invitations')}</li>
          <li>{t('deleteProject.bookings')}</li>
          <li>{t('deleteProject.files', { n: count(files.data?.items, !!files.data?.next) })}</li>
          <li>{t('deleteProject.audit')}</li>
        </ul>
        <p>
          <strong>{t('deleteProject.final')}</strong>
        </p>
        <Field label={t('deleteProject.typeName', { name: project.name })} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" />
        <ProblemMessage error={error} />
        <div className="actions">
          <button
            type="button"
            className="danger"
            disabled={typed.trim() !== project.name}
            onClick={async () => {
              setError(null);
              try {
                await unwrap(api.DELETE('/api/projects/{projectId}', { params: { path: { projectId: project.id } } }));
                qc.removeQueries({ queryKey: ['project', project.id] });
                await qc.invalidateQueries({ queryKey: ['projects'] });
                navigate(`/projects?deleted=${encodeURIComponent(project.name)}`, { replace: true });
              } catch (err) {
                setError(err);
              }
            }}
          >
            {t('deleteProject.confirm')}
          </button>
          <button type="button" className="secondary" onClick={() => setOpen(false)}>
            {t('common.cancel')}
          </button>
        </div>
      </Dialog>
    </section>
  );
}
