import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, toProblem, type Booking } from '../../api/client';
import { useAuth } from '../../app/auth';
import { useProject } from '../../app/Layout';
import { listBookings, resourceNames } from '../../shared/bookings';
import { useI18n } from '../../shared/i18n';
import { addDays, dayBounds, formatDate, formatTime, localDate, minutesBetween, todayIn } from '../../shared/time';
import { Dialog, Loading, PageTitle, ProblemMessage, StatusBadge, TextAreaField } from '../../shared/ui';
import { BookingPass } from '../../shared/BookingPass';

/** The person's own bookings from today on (60 days), with change and cancel. */
export default function MyBookingsPage() {
  const { t, lang } = useI18n();
  const { project, resources } = useProject();
  const { me } = useAuth();
  const tz = project.timeZone;
  const qc = useQueryClient();
  const today = todayIn(tz);
  const [from] = dayBounds(today, tz);
  const [, to] = dayBounds(addDays(today, 60), tz);
  const bookings = useQuery({
    queryKey: ['bookings', project.id, from, to],
    queryFn: () => listBookings(project.id, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }),
  });
  const mine = (bookings.data ?? []).filter((b) => b.requesterId === me?.id);
  const [cancelling, setCancelling] = useState<Booking | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState('');

  return (
    <div className="page">
      <PageTitle title={t('mine.title')}>{t('mine.title')}</PageTitle>
      <p role="status">{message}</p>
      {bookings.error && <ProblemMessage error={bookings.error} />}
      {!bookings.data ? (
        <Loading />
      ) : mine.length === 0 ? (
        <p>
          {t('mine.none')} <Link to="../book">{t('nav.book')}</Link>
        </p>
      ) : (
        <ul className="booking-list">
          {mine.map((b) => {
            const changeable = b.status === 'requested' || b.status === 'approved';
            const params = new URLSearchParams({
              change: b.id,
              res: b.resourceIds.join(','),
              dur: String(minutesBetween(Date.parse(b.start), Date.parse(b.end))),
              date: localDate(Date.parse(b.start), tz),
            });
            return (
              <li key={b.id} className="card booking-card">
                <h2>
                  {formatDate(b.start, lang, tz)}, {formatTime(b.start, lang, tz)}–{formatTime(b.end, lang, tz)}
                </h2>
                <p>
                  <StatusBadge status={b.status} noShow={b.noShow} /> {resourceNames(b, resources)}
                </p>
                <p className="muted">{[b.company, b.material, b.licencePlate].filter(Boolean).join(' · ')}</p>
                {b.reason && (
                  <p>
                    {t('booking.reason')}: {b.reason}
                  </p>
                )}
                {changeable && (
                  <div className="actions">
                    <Link className="button secondary" to={`../book?${params}`} aria-label={t('mine.changeLabel', { time: formatTime(b.start, lang, tz) })}>
                      {t('mine.change')}
                    </Link>
                    <button
                      type="button"
                      className="danger"
                      aria-label={t('mine.cancelLabel', { time: formatTime(b.start, lang, tz) })}
                      onClick={() => {
                        setReason('');
                        setError(null);
                        setCancelling(b);
                      }}
                    >
                      {t('mine.cancel')}
                    </button>
                  </div>
                )}
                {b.status === 'approved' && <BookingPass projectId={project.id} bookingId={b.id} tz={tz} />}
              </li>
            );
          })}
        </ul>
      )}
      <Dialog open={cancelling !== null} title={t('mine.cancelTitle')} onClose={() => setCancelling(null)}>
        <form
          className="form"
          onSubmit={async (e) => {
            e.preventDefault();
            if (!cancelling) return;
            const { error: err, response } = await api.POST('/api/projects/{projectId}/bookings/{bookingId}/cancel', {
              params: { path: { projectId: project.id, bookingId: cancelling.id } },
              body: { reason },
            });
            if (!response.ok) {
              setError(toProblem(response, err));
              return;
            }
            setCancelling(null);
            setMessage(t('mine.cancelled'));
            await qc.invalidateQueries({ queryKey: ['bookings', project.id] });
          }}
        >
          <TextAreaField label={t('booking.reason')} required value={reason} onChange={(e) => setReason(e.target.value)} rows={3} />
          <ProblemMessage error={error} />
          <div className="actions">
            <button type="submit" className="danger">
              {t('mine.confirmCancel')}
            </button>
            <button type="button" className="secondary" onClick={() => setCancelling(null)}>
              {t('common.back')}
            </button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
