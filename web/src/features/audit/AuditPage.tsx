import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useProject } from '../../app/Layout';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { formatDateTime } from '../../shared/time';
import { Loading, PageTitle, ProblemMessage, SelectField } from '../../shared/ui';
import '../../shared/admin.css';

type Entry = Schemas['AuditEntry'];

/** The actions the API records in a project's log, grouped as the filter shows them. */
export const ACTIONS = [
  'project.created',
  'project.updated',
  'resource.created',
  'resource.updated',
  'resource.deleted',
  'member.added',
  'member.role_changed',
  'member.removed',
  'member.consent_withdrawn',
  'member.briefing_changed',
  'invitation.created',
  'invitation.withdrawn',
  'booking.created',
  'booking.series-created',
  'booking.updated',
  'booking.rescheduled',
  'booking.approved',
  'booking.declined',
  'booking.cancelled',
  'booking.checked-in',
  'booking.checked-out',
  'booking.turned-away',
  'file.uploaded',
  'file.indexed',
  'file.deleted',
  'file.revised',
] as const;

export const PAGE_SIZE = 25;

/**
 * The project's audit log (owners and managers): who changed what and
 * when, newest first. Filters and the page are in the URL (`action`,
 * `actor`, `page` = the API's continuation token).
 */
export default function AuditPage() {
  const { t, lang } = useI18n();
  const { project, resources, canManage } = useProject();
  const [params, setParams] = useSearchParams();
  const action = params.get('action') ?? '';
  const actor = params.get('actor') ?? '';
  const page = params.get('page') ?? '';
  // Tokens of the pages before this one, for "newer"; a reload starts over from the URL's page.
  const [back, setBack] = useState<string[]>([]);
  const projectId = project.id;
  const entries = useQuery({
    queryKey: ['audit', projectId, action, actor, page],
    queryFn: () =>
      unwrap(
        api.GET('/api/projects/{projectId}/audit', {
          params: { path: { projectId }, query: { action: action || undefined, actor: actor || undefined, limit: PAGE_SIZE, next: page || undefined } },
        }),
      ),
    enabled: canManage,
  });
  const members = useQuery({
    queryKey: ['members', projectId],
    queryFn: () => unwrap(api.GET('/api/projects/{projectId}/members', { params: { path: { projectId }, query: { limit: 200 } } })),
  });
  const people = members.data?.items ?? [];

  const setFilter = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    next.delete('page');
    setBack([]);
    setParams(next, { replace: true });
  };
  const goTo = (token: string) => {
    const next = new URLSearchParams(params);
    if (token) next.set('page', token);
    else next.delete('page');
    setParams(next);
  };

  const person = (id?: string | null) => {
    if (!id) return t('audit.system');
    const m = people.find((x) => x.userId === id);
    return m ? `${m.firstName} ${m.lastName}` : t('audit.formerPerson');
  };
  const target = (e: Entry) => {
    if (e.targetType === 'resource') return resources.find((r) => r.id === e.targetId)?.name ?? t('audit.target.resource');
    if (e.targetType === 'project') return project.name;
    if (e.targetType === 'member' || e.targetType === 'user') return person(e.targetId);
    const key = `audit.target.${e.targetType}` as MessageKey;
    const label = t(key);
    return label === key ? e.targetType : label;
  };
  const actionLabel = (a: string) => {
    const key = `audit.action.${a}` as MessageKey;
    const label = t(key);
    return label === key ? a : label;
  };
  const fieldLabel = (f: string) => {
    const key = `audit.field.${f}` as MessageKey;
    const label = t(key);
    return label === key ? f : label;
  };

  return (
    <div className="page">
      <PageTitle title={t('audit.title')}>{t('audit.title')}</PageTitle>
      {!canManage ? (
        <p className="notice">{t('audit.managersOnly')}</p>
      ) : (
        <section className="card" aria-labelledby="audit-h">
          <h2 id="audit-h" className="sr-only">
            {t('audit.entries')}
          </h2>
          <div className="toolbar">
            <SelectField label={t('audit.filterAction')} value={action} onChange={(e) => setFilter('action', e.target.value)}>
              <option value="">{t('audit.allActions')}</option>
              {ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {actionLabel(a)}
                </option>
              ))}
            </SelectField>
            <SelectField label={t('audit.filterPerson')} value={actor} onChange={(e) => setFilter('actor', e.target.value)}>
              <option value="">{t('audit.allPeople')}</option>
              {people.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.firstName} {m.lastName}
                </option>
              ))}
            </SelectField>
          </div>
          {entries.error ? (
            <ProblemMessage error={entries.error} />
          ) : !entries.data ? (
            <Loading />
          ) : entries.data.items.length === 0 ? (
            <p role="status">{t('audit.none')}</p>
          ) : (
            <div className="table-scroll">
              <table className="list-table audit-table">
                <caption className="sr-only">{t('audit.entries')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('audit.when')}</th>
                    <th scope="col">{t('audit.who')}</th>
                    <th scope="col">{t('audit.what')}</th>
                    <th scope="col">{t('audit.target')}</th>
                    <th scope="col">{t('audit.fields')}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.data.items.map((e) => (
                    <tr key={e.id}>
                      <td>
                        <time dateTime={e.at}>{formatDateTime(e.at, lang, project.timeZone)}</time>
                      </td>
                      <td>{person(e.actorId)}</td>
                      <td>{actionLabel(e.action)}</td>
                      <td>{target(e)}</td>
                      <td>{e.changedFields.length ? e.changedFields.map(fieldLabel).join(', ') : '–'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="pager" aria-label={t('audit.paging')}>
            {page && (
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  const previous = back[back.length - 1] ?? '';
                  setBack(back.slice(0, -1));
                  goTo(previous);
                }}
              >
                {t('audit.newer')}
              </button>
            )}
            {entries.data?.next && (
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setBack([...back, page]);
                  goTo(entries.data?.next ?? '');
                }}
              >
                {t('audit.older')}
              </button>
            )}
          </nav>
        </section>
      )}
    </div>
  );
}
