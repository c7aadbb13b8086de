import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, toProblem, type Booking } from '../../api/client';
import { useProject } from '../../app/Layout';
import { ACTIVE, listBookings, resourceNames } from '../../shared/bookings';
import { useI18n } from '../../shared/i18n';
import { formatDate, formatDateTime, formatTime } from '../../shared/time';
import { Dialog, Loading, PageTitle, ProblemMessage, TextAreaField } from '../../shared/ui';

function overlaps(a: Booking, b: Booking) {
  return a.id !== b.id && a.resourceIds.some((r) => b.resourceIds.includes(r)) && a.start < b.end && b.start < a.end;
}

/** Requested bookings, oldest request first; approve or decline one or several. */
export default function ApprovalsPage() {
  const { t, lang } = useI18n();
  const { project, resources } = useProject();
  const tz = project.timeZone;
  const qc = useQueryClient();
  const requested = useQuery({
    queryKey: ['bookings', project.id, 'requested'],
    queryFn: () => listBookings(project.id, { status: 'requested' }),
    refetchInterval: 30_000,
  });
  const queue = [...(requested.data ?? [])].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  // Conflicts: other held bookings on the same resources at the same time.
  const range = queue.length ? { from: queue.reduce((m, b) => (b.start < m ? b.start : m), queue[0].start), to: queue.reduce((m, b) => (b.end > m ? b.end : m), queue[0].end) } : null;
  const held = useQuery({
    queryKey: ['bookings', project.id, 'held', range?.from, range?.to],
    queryFn: () => listBookings(project.id, { from: new Date(Date.parse(range!.from) - 86_400_000).toISOString(), to: range!.to }),
    enabled: range !== null,
  });
  const conflictsOf = (b: Booking) => (held.data ?? []).filter((o) => ACTIVE.has(o.status) && overlaps(b, o));

  const [selected, setSelected] = useState<string[]>([]);
  const [declining, setDeclining] = useState<string[] | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');

  const run = async (ids: string[], step: 'approve' | 'decline', body?: { reason: string }) => {
    setError(null);
    let ok = 0;
    for (const id of ids) {
      const path = { projectId: project.id, bookingId: id };
      const { error: e, response } =
        step === 'approve'
          ? await api.POST('/api/projects/{projectId}/bookings/{bookingId}/approve', { params: { path }, body: {} })
          : await api.POST('/api/projects/{projectId}/bookings/{bookingId}/decline', { params: { path }, body });
      if (response.ok) ok++;
      else setError(toProblem(response, e));
    }
    setSelected([]);
    setMessage(step === 'approve' ? t('approvals.approvedN', { n: ok }) : t('approvals.declinedN', { n: ok }));
    await qc.invalidateQueries({ queryKey: ['bookings', project.id] });
  };

  const allChecked = queue.length > 0 && selected.length === queue.length;
  return (
    <div className="page">
      <PageTitle title={t('approvals.title')}>{t('approvals.title')}</PageTitle>
      <p role="status">{message}</p>
      <ProblemMessage error={error ?? requested.error} />
      {!requested.data ? (
        <Loading />
      ) : queue.length === 0 ? (
        <p>{t('approvals.none')}</p>
      ) : (
        <>
          <div className="toolbar" role="group" aria-label={t('approvals.bulk')}>
            <button type="button" disabled={selected.length === 0} onClick={() => void run(selected, 'approve')}>
              {t('approvals.approveSelected', { n: selected.length })}
            </button>
            <button
              type="button"
              className="danger"
              disabled={selected.length === 0}
              onClick={() => {
                setReason('');
                setDeclining(selected);
              }}
            >
              {t('approvals.declineSelected', { n: selected.length })}
            </button>
          </div>
          <div className="table-scroll" tabIndex={0} role="region" aria-label={t('approvals.title')}>
            <table className="list-table">
              <caption className="sr-only">{t('approvals.caption')}</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label={t('approvals.selectAll')}
                      checked={allChecked}
                      onChange={(e) => setSelected(e.target.checked ? queue.map((b) => b.id) : [])}
                    />
                  </th>
                  <th scope="col">{t('booking.time')}</th>
                  <th scope="col">{t('booking.resources')}</th>
                  <th scope="col">{t('field.company')}</th>
                  <th scope="col">{t('booking.material')}</th>
                  <th scope="col">{t('approvals.requestedAt')}</th>
                  <th scope="col">{t('approvals.conflicts')}</th>
                  <th scope="col">{t('approvals.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {queue.map((b) => {
                  const when = `${formatDate(b.start, lang, tz)} ${formatTime(b.start, lang, tz)}–${formatTime(b.end, lang, tz)}`;
                  const conflicts = conflictsOf(b);
                  return (
                    <tr key={b.id} className={conflicts.length ? 'has-conflict' : undefined}>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={t('approvals.select', { what: `${when} ${b.company ?? ''}` })}
                          checked={selected.includes(b.id)}
                          onChange={(e) => setSelected(e.target.checked ? [...selected, b.id] : selected.filter((x) => x !== b.id))}
                        />
                      </td>
                      <td>{when}</td>
                      <td>{resourceNames(b, resources)}</td>
                      <td>{b.company}</td>
                      <td>{[b.material, b.quantity].filter(Boolean).join(', ')}</td>
                      <td>{formatDateTime(b.createdAt, lang, tz)}</td>
                      <td>
                        {conflicts.length === 0
                          ? t('approvals.noConflict')
                          : conflicts.map((c) => `${formatTime(c.start, lang, tz)}–${formatTime(c.end, lang, tz)} ${c.company ?? ''}`).join('; ')}
                      </td>
                      <td className="actions">
                        <button type="button" onClick={() => void run([b.id], 'approve')} aria-label={t('approvals.approveOne', { what: when })}>
                          {t('approvals.approve')}
                        </button>
                        <button
                          type="button"
                          className="danger"
                          aria-label={t('approvals.declineOne', { what: when })}
                          onClick={() => {
                            setReason('');
                            setDeclining([b.id]);
                          }}
                        >
                          {t('approvals.decline')}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      <Dialog open={declining !== null} title={t('approvals.declineTitle', { n: declining?.length ?? 0 })} onClose={() => setDeclining(null)}>
        <form
          className="form"
          onSubmit={async (e) => {
            e.preventDefault();
            const ids = declining ?? [];
            setDeclining(null);
            await run(ids, 'decline', { reason });
          }}
        >
          <TextAreaField label={t('booking.reason')} required value={reason} onChange={(e) => setReason(e.target.value)} rows={3} />
          <div className="actions">
            <button type="submit" className="danger">
              {t('approvals.confirmDecline')}
            </button>
            <button type="button" className="secondary" onClick={() => setDeclining(null)}>
              {t('common.back')}
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
