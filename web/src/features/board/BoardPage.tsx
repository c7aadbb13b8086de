import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useNow } from '../../shared/useNow';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Booking, type Resource } from '../../api/client';
import { useProject } from '../../app/Layout';
import { listBookings, resourceNames } from '../../shared/bookings';
import { useI18n, type MessageKey } from '../../shared/i18n';
import {
  addDays,
  dayBounds,
  formatDate,
  formatSiteDate,
  formatTime,
  instantAt,
  localDate,
  localMinutes,
  MINUTE,
  parseHm,
  STEP_MINUTES,
  todayIn,
  weekdayName,
  weekStart,
} from '../../shared/time';
import { Dialog, Loading, PageTitle, ProblemMessage, StatusBadge } from '../../shared/ui';
import { BookingPass } from '../../shared/BookingPass';
import { KINDS } from '../../shared/kinds';

type Hours = Record<string, { from: string; to: string }[]> | null | undefined;

/** The resource's opening windows on a date, in minutes; null: always open. */
function windowsOn(r: Resource, date: string): [number, number][] | null {
  const hours = r.openingHours as Hours;
  if (!hours) return null;
  if ((r.closedDates ?? []).includes(date)) return [];
  return (hours[weekdayName(date)] ?? []).map((w) => [parseHm(w.from), parseHm(w.to)]);
}

/** Resources × time of one site day or week, in the project's time zone. */
export default function BoardPage() {
  const { t, lang } = useI18n();
  const { project, resources } = useProject();
  const tz = project.timeZone;
  const [params, setParams] = useSearchParams();
  const date = params.get('date') ?? todayIn(tz);
  const view = params.get('view') === 'week' ? 'week' : 'day';
  const kind = params.get('kind') ?? '';
  // One resource's day (opened from the site plan).
  const only = resources.find((r) => r.id === params.get('res'));
  const wall = params.get('wall') === '1';
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true });
  };

  const first = view === 'week' ? weekStart(date) : date;
  const days = view === 'week' ? 7 : 1;
  const [from] = dayBounds(first, tz);
  const [, to] = dayBounds(addDays(first, days - 1), tz);
  const bookings = useQuery({
    queryKey: ['bookings', project.id, from, to],
    queryFn: () => listBookings(project.id, { from: new Date(from).toISOString(), to: new Date(to).toISOString() }),
    refetchInterval: wall ? 15_000 : 30_000,
    refetchIntervalInBackground: wall,
  });
  const shown = useMemo(() => resources.filter((r) => (!kind || r.kind === kind) && (!only || r.id === only.id)), [resources, kind, only]);
  const now = useNow(wall ? 15_000 : 60_000);
  const [open, setOpen] = useState<Booking | null>(null);

  useEffect(() => {
    if (!wall) return;
    document.body.classList.add('wall');
    const exit = (e: KeyboardEvent) => {
      if (e.key === 'Escape') update({ wall: null });
    };
    window.addEventListener('keydown', exit);
    return () => {
      document.body.classList.remove('wall');
      window.removeEventListener('keydown', exit);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [wall]);

  const title = `${t('board.title')} – ${view === 'week' ? t('board.weekOf', { date: formatSiteDate(first, lang, tz) }) : formatSiteDate(date, lang, tz)}`;
  return (
    <div className={wall ? 'page board wallboard' : 'page board'}>
      <PageTitle title={title}>
        {wall ? `${project.name} · ` : ''}
        {title}
      </PageTitle>
      {wall ? (
        <p className="wall-clock" aria-live="off">
          {formatTime(now, lang, tz)} · {tz}
          <Link className="sr-only-focusable" to={`?${new URLSearchParams({ date, view, ...(kind ? { kind } : {}) })}`}>
            {t('board.exitWall')}
          </Link>
        </p>
      ) : (
        <div className="toolbar" role="group" aria-label={t('board.controls')}>
          <button type="button" className="secondary" onClick={() => update({ date: addDays(date, view === 'week' ? -7 : -1) })}>
            {view === 'week' ? t('board.prevWeek') : t('board.prevDay')}
          </button>
          <button type="button" className="secondary" onClick={() => update({ date: null })}>
            {t('board.today')}
          </button>
          <button type="button" className="secondary" onClick={() => update({ date: addDays(date, view === 'week' ? 7 : 1) })}>
            {view === 'week' ? t('board.nextWeek') : t('board.nextDay')}
          </button>
          <label>
            {t('board.date')}
            <input type="date" value={date} onChange={(e) => e.target.value && update({ date: e.target.value })} />
          </label>
          <label>
            {t('board.view')}
            <select value={view} onChange={(e) => update({ view: e.target.value === 'day' ? null : e.target.value })}>
              <option value="day">{t('board.day')}</option>
              <option value="week">{t('board.week')}</option>
            </select>
          </label>
          <label>
            {t('board.kind')}
            <select value={kind} onChange={(e) => update({ kind: e.target.value })}>
              <option value="">{t('board.allKinds')}</option>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`kind.${k}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              update({ wall: '1' });
              document.documentElement.requestFullscreen?.().catch(() => undefined);
            }}
          >
            {t('board.wallboard')}
          </button>
          <span className="muted">{t('board.zone', { tz })}</span>
        </div>
      )}
      {only && !wall && (
        <p className="notice">
          {t('board.onlyResource', { name: only.name })} ·{' '}
          <Link to={`?${new URLSearchParams({ date, ...(view === 'week' ? { view } : {}) })}`}>{t('board.showAll')}</Link>
        </p>
      )}
      {bookings.error && <ProblemMessage error={bookings.error} />}
      {shown.length === 0 ? (
        <p>{t('board.noResources')}</p>
      ) : !bookings.data ? (
        <Loading />
      ) : view === 'day' ? (
        <DayGrid date={date} resources={shown} bookings={bookings.data} now={now} onOpen={setOpen} />
      ) : (
        <WeekGrid first={first} resources={shown} bookings={bookings.data} onOpen={setOpen} />
      )}
      <Legend />
      <Dialog open={open !== null} title={t('board.details')} onClose={() => setOpen(null)}>
        {open && <BookingDetails booking={open} resources={resources} />}
        <button type="button" onClick={() => setOpen(null)}>
          {t('common.close')}
        </button>
      </Dialog>
    </div>
  );
}

function Legend() {
  const { t } = useI18n();
  const statuses = ['requested', 'approved', 'checkedIn', 'checkedOut', 'declined', 'cancelled', 'turnedAway', 'noShow'];
  return (
    <ul className="legend" aria-label={t('board.legend')}>
      {statuses.map((s) => (
        <li key={s}>
          <span className={`badge status-${s}`}>{t(`status.${s}` as MessageKey)}</span>
        </li>
      ))}
    </ul>
  );
}

export function BookingDetails({ booking: listed, resources }: { booking: Booking; resources: Resource[] }) {
  const { t, lang } = useI18n();
  const { project } = useProject();
  const tz = project.timeZone;
  // Shown at once from the list, then as it is now: the list may be a poll old.
  const fresh = useQuery({
    queryKey: ['booking', project.id, listed.id],
    queryFn: () => unwrap(api.GET('/api/projects/{projectId}/bookings/{bookingId}', { params: { path: { projectId: project.id, bookingId: listed.id } } })),
    initialData: listed,
    staleTime: 0,
  });
  const booking = fresh.data;
  const rows: [string, string | null | undefined][] = [
    [t('booking.time'), `${formatDate(booking.start, lang, tz)} ${formatTime(booking.start, lang, tz)}–${formatTime(booking.end, lang, tz)}`],
    [t('booking.resources'), resourceNames(booking, resources)],
    [t('field.company'), booking.company],
    [t('booking.supplier'), booking.supplier],
    [t('booking.vehicleType'), booking.vehicleType],
    [t('booking.plate'), booking.licencePlate],
    [t('booking.material'), booking.material],
    [t('booking.quantity'), booking.quantity],
    [t('booking.notes'), booking.notes],
    [t('booking.reason'), booking.reason],
  ];
  return (
    <>
      <p>
        <StatusBadge status={booking.status} noShow={booking.noShow} />
      </p>
      <dl className="details">
        {rows
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      {booking.status === 'approved' && <BookingPass projectId={project.id} bookingId={booking.id} tz={tz} />}
    </>
  );
}

function blockLabel(b: Booking, t: ReturnType<typeof useI18n>['t'], lang: 'de' | 'en', tz: string) {
  const status = t(`status.${b.noShow ? 'noShow' : b.status}` as MessageKey);
  return [`${formatTime(b.start, lang, tz)}–${formatTime(b.end, lang, tz)}`, status, b.company, b.material].filter(Boolean).join(', ');
}

function DayGrid({
  date,
  resources,
  bookings,
  now,
  onOpen,
}: {
  date: string;
  resources: Resource[];
  bookings: Booking[];
  now: number;
  onOpen: (b: Booking) => void;
}) {
  const { t, lang } = useI18n();
  const { project } = useProject();
  const tz = project.timeZone;
  // The visible span: the union of the resources' opening hours that day
  // (wall-clock), 06:00–20:00 when none says otherwise.
  const windows = resources.map((r) => windowsOn(r, date));
  const flat = windows.flatMap((w) => w ?? []);
  // Bookings outside those hours (a night delivery on an always-open zone)
  // widen the span to whole hours, so that no booking is hidden.
  const booked = bookings.map((b): [number, number] => [
    localDate(Date.parse(b.start), tz) < date ? 0 : Math.floor(localMinutes(Date.parse(b.start), tz) / 60) * 60,
    localDate(Date.parse(b.end), tz) > date ? 1440 : Math.ceil(localMinutes(Date.parse(b.end), tz) / 60) * 60,
  ]);
  const startMin = Math.min(flat.length ? Math.min(...flat.map((w) => w[0])) : 360, ...booked.map((w) => w[0]));
  const endMin = Math.max(flat.length ? Math.max(...flat.map((w) => w[1])) : 1200, ...booked.map((w) => w[1]));
  // Columns are real 15-minute steps: on a DST day the wall-clock labels
  // skip or repeat an hour, and the grid stays true to elapsed time.
  const gridStart = instantAt(date, startMin, tz);
  const gridEnd = instantAt(date, endMin, tz);
  const steps = Math.max(1, Math.round((gridEnd - gridStart) / (STEP_MINUTES * MINUTE)));
  const span = gridEnd - gridStart;
  const pct = (instant: number) => ((Math.min(Math.max(instant, gridStart), gridEnd) - gridStart) / span) * 100;

  const hours: { label: string; span: number; key: number }[] = [];
  for (let i = 0; i < steps; i++) {
    const at = gridStart + i * STEP_MINUTES * MINUTE;
    if (i === 0 || localMinutes(at, tz) % 60 === 0) hours.push({ label: formatTime(at, lang, tz), span: 1, key: at });
    else hours[hours.length - 1].span++;
  }
  const nowVisible = now >= gridStart && now <= gridEnd;

  return (
    <div className="grid-scroll" tabIndex={0} role="region" aria-label={t('board.gridRegion')}>
      <table className="day-grid" style={{ ['--steps' as string]: steps }}>
        <caption className="sr-only">{t('board.caption', { date: formatSiteDate(date, lang, tz), tz })}</caption>
        <thead>
          <tr>
            <th scope="col" className="res-col">
              {t('board.resource')}
            </th>
            {hours.map((h) => (
              <th key={h.key} scope="col" colSpan={h.span} className="hour">
                {h.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {resources.map((r, ri) => {
            const mine = bookings
              .filter((b) => b.resourceIds.includes(r.id))
              .filter((b) => Date.parse(b.end) > gridStart && Date.parse(b.start) < gridEnd)
              .sort((a, b) => a.start.localeCompare(b.start));
            const open = windows[ri];
            const closed: [number, number][] = [];
            if (open) {
              let cursor = gridStart;
              for (const [f, e] of [...open].sort((a, b) => a[0] - b[0])) {
                const s = instantAt(date, f, tz);
                if (s > cursor) closed.push([cursor, s]);
                cursor = Math.max(cursor, instantAt(date, e, tz));
              }
              if (cursor < gridEnd) closed.push([cursor, gridEnd]);
            }
            return (
              <tr key={r.id}>
                <th scope="row" className="res-col">
                  {r.name}
                  <span className="muted kind-label">{t(`kind.${r.kind}` as MessageKey)}</span>
                </th>
                <td colSpan={steps} className="track-cell">
                  <div className="track">
                    {closed.map(([a, b]) => (
                      <div key={a} className="closed" style={{ left: `${pct(a)}%`, width: `${pct(b) - pct(a)}%` }} aria-hidden="true" />
                    ))}
                    {mine.length === 0 && <span className="sr-only">{t('board.free')}</span>}
                    <ul className="blocks">
                      {mine.map((b, i) => {
                        const left = pct(Date.parse(b.start));
                        const width = Math.max(pct(Date.parse(b.end)) - left, 0.5);
                        return (
                          <li key={b.id} style={{ left: `${left}%`, width: `${width}%` }} className={i % 2 ? 'lane-b' : 'lane-a'}>
                            <button
                              type="button"
                              className={`block status-${b.noShow ? 'noShow' : b.status}`}
                              aria-label={blockLabel(b, t, lang, tz)}
                              title={blockLabel(b, t, lang, tz)}
                              onClick={() => onOpen(b)}
                            >
                              <span className="block-time">{formatTime(b.start, lang, tz)}</span>
                              <span className="block-status">{t(`status.${b.noShow ? 'noShow' : b.status}` as MessageKey)}</span>
                              <span>{b.company}</span>
                              <span>{b.material}</span>
                            </button>
                          </li>
                        );
                      })}
                    </ul>
                    {nowVisible && <div className="now-line" style={{ left: `${pct(now)}%` }} aria-hidden="true" />}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {nowVisible && (
        <p className="sr-only" role="note">
          {t('board.now', { time: formatTime(now, lang, tz) })}
        </p>
      )}
    </div>
  );
}

function WeekGrid({ first, resources, bookings, onOpen }: { first: string; resources: Resource[]; bookings: Booking[]; onOpen: (b: Booking) => void }) {
  const { t, lang } = useI18n();
  const { project } = useProject();
  const tz = project.timeZone;
  const dates = Array.from({ length: 7 }, (_, i) => addDays(first, i));
  return (
    <div className="grid-scroll" tabIndex={0} role="region" aria-label={t('board.gridRegion')}>
      <table className="week-grid">
        <caption className="sr-only">{t('board.weekCaption', { date: formatSiteDate(first, lang, tz), tz })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('board.resource')}</th>
            {dates.map((d) => (
              <th scope="col" key={d}>
                <Link to={`?date=${d}`}>{formatDate(instantAt(d, 720, tz), lang, tz)}</Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {resources.map((r) => (
            <tr key={r.id}>
              <th scope="row">{r.name}</th>
              {dates.map((d) => {
                const day = bookings
                  .filter((b) => b.resourceIds.includes(r.id) && localDate(Date.parse(b.start), tz) === d)
                  .sort((a, b) => a.start.localeCompare(b.start));
                return (
                  <td key={d}>
                    <ul className="week-blocks">
                      {day.map((b) => (
                        <li key={b.id}>
                          <button type="button" className={`block status-${b.noShow ? 'noShow' : b.status}`} onClick={() => onOpen(b)} aria-label={blockLabel(b, t, lang, tz)}>
                            {formatTime(b.start, lang, tz)} {b.company}
                          </button>
                        </li>
                      ))}
                    </ul>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
