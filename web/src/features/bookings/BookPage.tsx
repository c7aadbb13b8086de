import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, ApiProblem, toProblem, type Booking } from '../../api/client';
import { useAuth } from '../../app/auth';
import { useProject } from '../../app/Layout';
import { resourceNames } from '../../shared/bookings';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { addDays, formatDate, formatNumber, formatSiteDate, formatTime, MINUTE, todayIn } from '../../shared/time';
import { Field, Loading, PageTitle, ProblemMessage, SelectField, StatusBadge, TextAreaField } from '../../shared/ui';
import { freeStarts, nearest } from './slots';

const DURATIONS = [15, 30, 45, 60, 90, 120, 180, 240, 360, 480];
const VEHICLES = ['truck', 'semi', 'tipper', 'mixer', 'van', 'other'] as const;

/**
 * Book a slot: resources and duration, then a free start time from the
 * availability endpoint, then the delivery's details. With `change=<id>`
 * the same picker moves an own booking to a new time.
 */
export default function BookPage() {
  const { t, lang } = useI18n();
  const { project, resources } = useProject();
  const { me } = useAuth();
  const tz = project.timeZone;
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const changeId = params.get('change');
  const selected = (params.get('res') ?? '').split(',').filter(Boolean);
  const duration = Number(params.get('dur') ?? 60);
  const date = params.get('date') ?? todayIn(tz);
  const start = params.get('start') ? Number(params.get('start')) : null;
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    setParams(next, { replace: true, flushSync: true });
  };

  const [details, setDetails] = useState({
    company: me?.companyName ?? '',
    supplier: '',
    vehicleType: 'truck',
    licencePlate: '',
    material: '',
    quantity: '',
    notes: '',
  });
  const [weekly, setWeekly] = useState(false);
  const [occurrences, setOccurrences] = useState(4);
  const [error, setError] = useState<unknown>(null);
  const [alternatives, setAlternatives] = useState<number[]>([]);
  const [done, setDone] = useState<Booking[] | null>(null);
  const [busy, setBusy] = useState(false);
  const resultRef = useRef<HTMLDivElement>(null);

  const slots = useQuery({
    queryKey: ['free', project.id, selected.join(','), duration, date],
    queryFn: () => freeStarts(project.id, selected, duration, date, tz),
    enabled: selected.length > 0,
  });

  useEffect(() => {
    if (error || done) resultRef.current?.focus();
  }, [error, done]);

  const set = (k: keyof typeof details) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>) =>
    setDetails({ ...details, [k]: e.target.value });

  const submit = async () => {
    if (start === null) return;
    setBusy(true);
    setError(null);
    setAlternatives([]);
    const body = {
      resourceIds: selected,
      start: new Date(start).toISOString(),
      end: new Date(start + duration * MINUTE).toISOString(),
      // A change moves the booking only; its details stay as they are.
      ...(changeId ? {} : Object.fromEntries(Object.entries(details).map(([k, v]) => [k, v.trim() || undefined]))),
    };
    try {
      let booked: Booking[];
      if (changeId) {
        const { data, error: e, response } = await api.PATCH('/api/projects/{projectId}/bookings/{bookingId}', {
          params: { path: { projectId: project.id, bookingId: changeId } },
          body,
        });
        if (!response.ok || !data) throw toProblem(response, e);
        booked = [data];
      } else if (weekly) {
        const { data, error: e, response } = await api.POST('/api/projects/{projectId}/booking-series', {
          params: { path: { projectId: project.id } },
          body: { ...body, occurrences, intervalWeeks: 1 },
        });
        if (!response.ok || !data) throw toProblem(response, e);
        booked = data.booked;
      } else {
        const { data, error: e, response } = await api.POST('/api/projects/{projectId}/bookings', {
          params: { path: { projectId: project.id } },
          body,
        });
        if (!response.ok || !data) throw toProblem(response, e);
        booked = [data];
      }
      setDone(booked);
      await qc.invalidateQueries({ queryKey: ['bookings', project.id] });
      await qc.invalidateQueries({ queryKey: ['free', project.id] });
    } catch (err) {
      setError(err);
      if (err instanceof ApiProblem && err.status === 409) {
        // Taken in the meantime: offer the nearest free times of that day.
        const fresh = await freeStarts(project.id, selected, duration, date, tz).catch(() => []);
        setAlternatives(nearest(fresh, start));
        update({ start: null });
        await qc.invalidateQueries({ queryKey: ['free', project.id] });
      }
    } finally {
      setBusy(false);
    }
  };

  const title = changeId ? t('book.changeTitle') : t('book.title');
  if (done) {
    return (
      <div className="page">
        <PageTitle title={title}>{title}</PageTitle>
        <div className="card success" role="status" tabIndex={-1} ref={resultRef}>
          <h2>{changeId ? t('book.changed') : t('book.booked', { count: done.length })}</h2>
          <ul>
            {done.map((b) => (
              <li key={b.id}>
                {formatDate(b.start, lang, tz)} {formatTime(b.start, lang, tz)}–{formatTime(b.end, lang, tz)} · {resourceNames(b, resources)} ·{' '}
                <StatusBadge status={b.status} />
              </li>
            ))}
          </ul>
          <p>
            <Link to="../my-bookings">{t('nav.myBookings')}</Link>
          </p>
          <button
            type="button"
            onClick={() => {
              setDone(null);
              update({ start: null, change: null });
            }}
          >
            {t('book.another')}
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="page book">
      <PageTitle title={title}>{title}</PageTitle>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <fieldset className="card">
          <legend>{t('book.step1')}</legend>
          <fieldset>
            <legend>{t('book.resources')}</legend>
            {resources.length === 0 && <p>{t('board.noResources')}</p>}
            <div className="choices">
              {resources.map((r) => (
                <label key={r.id} className="check">
                  <input
                    type="checkbox"
                    checked={selected.includes(r.id)}
                    onChange={(e) =>
                      update({ res: (e.target.checked ? [...selected, r.id] : selected.filter((x) => x !== r.id)).join(','), start: null })
                    }
                  />
                  {r.name} <span className="muted">({t(`kind.${r.kind}` as MessageKey)})</span>
                </label>
              ))}
            </div>
          </fieldset>
          <SelectField label={t('book.duration')} value={duration} onChange={(e) => update({ dur: e.target.value, start: null })}>
            {DURATIONS.map((d) => (
              <option key={d} value={d}>
                {t('book.minutes', { n: d })}
              </option>
            ))}
          </SelectField>
        </fieldset>

        <fieldset className="card">
          <legend>{t('book.step2')}</legend>
          <div className="row date-row">
            <button type="button" className="secondary" onClick={() => update({ date: addDays(date, -1), start: null })}>
              {t('board.prevDay')}
            </button>
            <Field label={t('board.date')} type="date" value={date} onChange={(e) => e.target.value && update({ date: e.target.value, start: null })} />
            <button type="button" className="secondary" onClick={() => update({ date: addDays(date, 1), start: null })}>
              {t('board.nextDay')}
            </button>
          </div>
          <p className="muted">{t('book.timesIn', { date: formatSiteDate(date, lang, tz), tz })}</p>
          {selected.length === 0 ? (
            <p>{t('book.chooseResources')}</p>
          ) : slots.error ? (
            <ProblemMessage error={slots.error} />
          ) : !slots.data ? (
            <Loading />
          ) : slots.data.length === 0 ? (
            <p role="status">{t('book.noFree')}</p>
          ) : (
            <SlotPicker starts={slots.data} value={start} onChange={(s) => update({ start: String(s) })} tz={tz} />
          )}
        </fieldset>

        {!changeId && (
        <fieldset className="card" disabled={start === null}>
          <legend>{t('book.step3')}</legend>
          <Field label={t('field.company')} value={details.company} onChange={set('company')} autoComplete="organization" />
          <Field label={t('booking.supplier')} value={details.supplier} onChange={set('supplier')} />
          <SelectField label={t('booking.vehicleType')} value={details.vehicleType} onChange={set('vehicleType')}>
            {VEHICLES.map((v) => (
              <option key={v} value={v}>
                {t(`vehicle.${v}` as MessageKey)}
              </option>
            ))}
          </SelectField>
          <Field label={t('booking.plate')} value={details.licencePlate} onChange={set('licencePlate')} autoCapitalize="characters" />
          <Field label={t('booking.material')} value={details.material} onChange={set('material')} />
          <Field label={t('booking.quantity')} value={details.quantity} onChange={set('quantity')} />
          <TextAreaField label={t('booking.notes')} value={details.notes} onChange={set('notes')} rows={3} />
          {!changeId && (
            <>
              <label className="check">
                <input type="checkbox" checked={weekly} onChange={(e) => setWeekly(e.target.checked)} />
                {t('book.weekly')}
              </label>
              {weekly && (
                <Field label={t('book.occurrences')} type="number" min={2} max={16} value={occurrences} onChange={(e) => setOccurrences(Number(e.target.value))} />
              )}
            </>
          )}
        </fieldset>
        )}

        <div ref={resultRef} tabIndex={-1}>
          {error instanceof ApiProblem && error.status === 409 ? (
            <div className="problem" role="alert">
              <p className="problem-title">{t('book.conflict')}</p>
              {alternatives.length > 0 ? (
                <>
                  <p>{t('book.alternatives')}</p>
                  <ul className="alternatives">
                    {alternatives.map((s) => (
                      <li key={s}>
                        <button
                          type="button"
                          className="secondary"
                          onClick={() => {
                            update({ start: String(s) });
                            setError(null);
                            setAlternatives([]);
                          }}
                        >
                          {t('book.takeTime', { time: formatTime(s, lang, tz) })}
                        </button>
                      </li>
                    ))}
                  </ul>
                </>
              ) : (
                <p>{t('book.noAlternatives')}</p>
              )}
            </div>
          ) : (
            <ProblemMessage error={error} />
          )}
        </div>
        <button type="submit" disabled={busy || start === null}>
          {start === null
            ? t('book.pickFirst')
            : changeId
              ? t('book.changeSubmit', { time: formatTime(start, lang, tz) })
              : t('book.submit', { time: formatTime(start, lang, tz) })}
        </button>
      </form>
    </div>
  );
}

/** The free start times as a radio group: arrow keys move, one tab stop. */
function SlotPicker({ starts, value, onChange, tz }: { starts: number[]; value: number | null; onChange: (s: number) => void; tz: string }) {
  const { t, lang } = useI18n();
  const name = useId();
  return (
    <fieldset className="slots">
      <legend>{t('book.freeTimes', { n: formatNumber(starts.length, lang) })}</legend>
      <div className="slot-list">
        {starts.map((s) => (
          <label key={s} className={value === s ? 'slot chosen' : 'slot'}>
            <input type="radio" name={name} value={s} checked={value === s} onChange={() => onChange(s)} />
            {formatTime(s, lang, tz)}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
