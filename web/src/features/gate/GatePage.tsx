import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useNow } from '../../shared/useNow';
import { api, toProblem, type Booking } from '../../api/client';
import { useProject } from '../../app/Layout';
import { listBookings, resourceNames } from '../../shared/bookings';
import { useI18n } from '../../shared/i18n';
import { dayBounds, formatTime, todayIn } from '../../shared/time';
import { Dialog, Field, Loading, PageTitle, ProblemMessage, StatusBadge, TextAreaField } from '../../shared/ui';
import { GateScan } from './GateScan';

const EXPECTED = new Set(['approved', 'checkedIn', 'checkedOut', 'turnedAway']);

/** Today's arrivals at the gate, in order; check in/out with one tap; turn away with a reason. */
export default function GatePage() {
  const { t, lang } = useI18n();
  const { project, resources } = useProject();
  const tz = project.timeZone;
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [from, to] = dayBounds(todayIn(tz), tz);
  const today = useQuery({
    queryKey: ['bookings', project.id, from, to],
    queryFn: () => listBookings(project.id, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }),
    refetchInterval: 15_000,
  });
  const [turning, setTurning] = useState<Booking | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');
  const now = useNow(30_000);
  const needle = q.trim().toLowerCase().replace(/\s+/g, '');
  const list = (today.data ?? [])
    .filter((b) => EXPECTED.has(b.status))
    .filter(
      (b) =>
        !needle ||
        (b.licencePlate ?? '').toLowerCase().replace(/\s+/g, '').includes(needle) ||
        (b.company ?? '').toLowerCase().replace(/\s+/g, '').includes(needle),
    )
    .sort((a, b) => a.start.localeCompare(b.start));

  const step = async (b: Booking, verb: 'check-in' | 'check-out' | 'turn-away', body: { reason?: string } = {}) => {
    setError(null);
    const path = { projectId: project.id, bookingId: b.id };
    const opts = { params: { path }, body };
    const { error: e, response } =
      verb === 'check-in'
        ? await api.POST('/api/projects/{projectId}/bookings/{bookingId}/check-in', opts)
        : verb === 'check-out'
          ? await api.POST('/api/projects/{projectId}/bookings/{bookingId}/check-out', opts)
          : await api.POST('/api/projects/{projectId}/bookings/{bookingId}/turn-away', opts);
    if (!response.ok) {
      setError(toProblem(response, e));
      return;
    }
    const who = b.licencePlate || b.company || formatTime(b.start, lang, tz);
    setMessage(
      verb === 'check-in' ? t('gate.checkedIn', { who }) : verb === 'check-out' ? t('gate.checkedOut', { who }) : t('gate.turnedAway', { who }),
    );
    await qc.invalidateQueries({ queryKey: ['bookings', project.id] });
  };

  return (
    <div className="page gate">
      <PageTitle title={t('gate.title')}>{t('gate.title')}</PageTitle>
      <GateScan />
      <Field
        label={t('gate.search')}
        type="search"
        value={q}
        onChange={(e) => setParams(e.target.value ? { q: e.target.value } : {}, { replace: true })}
        autoComplete="off"
      />
      <p role="status" className="gate-message">
        {message}
      </p>
      <ProblemMessage error={error ?? today.error} />
      {!today.data ? (
        <Loading />
      ) : list.length === 0 ? (
        <p>{t('gate.none')}</p>
      ) : (
        <ol className="gate-list">
          {list.map((b) => {
            const late = b.status === 'approved' && now > Date.parse(b.start);
            const label = b.licencePlate || b.company || '';
            return (
              <li key={b.id} className={late ? 'card gate-card late' : 'card gate-card'}>
                <div className="gate-time">
                  {formatTime(b.start, lang, tz)}–{formatTime(b.end, lang, tz)}
                  {late && <span className="late-badge">{t('gate.late')}</span>}
                </div>
                <div className="gate-main">
                  <p className="plate">{b.licencePlate || '—'}</p>
                  <p>
                    {b.company} · {b.material} {b.quantity}
                  </p>
                  <p className="muted">{resourceNames(b, resources)}</p>
                  <StatusBadge status={b.status} noShow={b.noShow} />
                </div>
                <div className="gate-actions">
                  {b.status === 'approved' && (
                    <>
                      <button type="button" className="big" onClick={() => void step(b, 'check-in')} aria-label={t('gate.checkInLabel', { who: label })}>
                        {t('gate.checkIn')}
                      </button>
                      <button
                        type="button"
                        className="big danger"
                        aria-label={t('gate.turnAwayLabel', { who: label })}
                        onClick={() => {
                          setReason('');
                          setTurning(b);
                        }}
                      >
                        {t('gate.turnAway')}
                      </button>
                    </>
                  )}
                  {b.status === 'checkedIn' && (
                    <button type="button" className="big" onClick={() => void step(b, 'check-out')} aria-label={t('gate.checkOutLabel', { who: label })}>
                      {t('gate.checkOut')}
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <Dialog open={turning !== null} title={t('gate.turnAwayTitle')} onClose={() => setTurning(null)}>
        <form
          className="form"
          onSubmit={async (e) => {
            e.preventDefault();
            const b = turning;
            setTurning(null);
            if (b) await step(b, 'turn-away', { reason });
          }}
        >
          <TextAreaField label={t('booking.reason')} required value={reason} onChange={(e) => setReason(e.target.value)} rows={3} />
          <div className="actions">
            <button type="submit" className="danger big">
              {t('gate.confirmTurnAway')}
            </button>
            <button type="button" className="secondary big" onClick={() => setTurning(null)}>
              {t('common.back')}
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
