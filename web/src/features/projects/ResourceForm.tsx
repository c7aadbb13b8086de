import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { api, unwrap, type Resource } from '../../api/client';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { formatSiteDate } from '../../shared/time';
import { Field, fieldError, ProblemMessage, SelectField, TextAreaField } from '../../shared/ui';
import { DAYS, KINDS, type Day, type Hours, type Kind } from '../../shared/kinds';

interface DayHours {
  open: boolean;
  from: string;
  to: string;
}

const WORKDAYS: Day[] = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'];

function initialDays(r?: Resource): Record<Day, DayHours> {
  const hours = (r?.openingHours ?? null) as Hours | null;
  const out = {} as Record<Day, DayHours>;
  for (const d of DAYS) {
    // One window per day is what sites use; a second window set through the
    // API is kept as long as the day is not edited here.
    const w = hours ? hours[d]?.[0] : undefined;
    out[d] = r ? { open: !!w, from: w?.from ?? '07:00', to: w?.to ?? '17:00' } : { open: WORKDAYS.includes(d), from: '07:00', to: '17:00' };
  }
  return out;
}

/**
 * Create or change a resource: kind, name, capacity, buffer, booking
 * length, opening hours per weekday and closure dates. Every field is sent;
 * the API answers field errors that are shown next to their fields.
 */
export function ResourceForm({ projectId, tz, resource, onDone }: { projectId: string; tz: string; resource?: Resource; onDone: (message: string) => void }) {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const headingId = useId();
  const [kind, setKind] = useState<Kind>(resource?.kind ?? 'unloadingZone');
  const [name, setName] = useState(resource?.name ?? '');
  const [capacity, setCapacity] = useState(String(resource?.capacity ?? 1));
  const [buffer, setBuffer] = useState(String(resource?.bufferMinutes ?? 0));
  const [minLen, setMinLen] = useState(String(resource?.minBookingMinutes ?? 15));
  const [maxLen, setMaxLen] = useState(String(resource?.maxBookingMinutes ?? 480));
  const [alwaysOpen, setAlwaysOpen] = useState(resource ? !resource.openingHours : false);
  const [days, setDays] = useState(() => initialDays(resource));
  const [closed, setClosed] = useState<string[]>(resource?.closedDates ?? []);
  const [newClosure, setNewClosure] = useState('');
  const [access, setAccess] = useState(resource?.accessInstructions ?? '');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const setDay = (d: Day, change: Partial<DayHours>) => setDays({ ...days, [d]: { ...days[d], ...change } });
  const dayName = (d: Day) => t(`dayLong.${d}` as MessageKey);
  const title = resource ? t('resource.editTitle', { name: resource.name }) : t('setup.newResource');

  const submit = async () => {
    setBusy(true);
    setError(null);
    const openingHours = alwaysOpen
      ? null
      : Object.fromEntries(DAYS.filter((d) => days[d].open).map((d) => [d, [{ from: days[d].from, to: days[d].to }]]));
    const body = {
      kind,
      name,
      capacity: Number(capacity),
      bufferMinutes: Number(buffer),
      minBookingMinutes: Number(minLen),
      maxBookingMinutes: Number(maxLen),
      openingHours: openingHours as never,
      closedDates: closed,
      // Empty means none: the API stores null for a blank text.
      accessInstructions: access.trim() ? access : null,
    };
    try {
      const r = resource
        ? await unwrap(api.PATCH('/api/projects/{projectId}/resources/{resourceId}', { params: { path: { projectId, resourceId: resource.id } }, body }))
        : await unwrap(api.POST('/api/projects/{projectId}/resources', { params: { path: { projectId } }, body }));
      await qc.invalidateQueries({ queryKey: ['resources', projectId] });
      onDone(resource ? t('resource.saved', { name: r.name }) : t('setup.resourceAdded', { name: r.name }));
      if (!resource) {
        setName('');
        setClosed([]);
        setAccess('');
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form resource-form"
      aria-labelledby={headingId}
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3 id={headingId}>{title}</h3>
      <div className="row">
        <SelectField label={t('setup.kind')} value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`kind.${k}` as MessageKey)}
            </option>
          ))}
        </SelectField>
        <Field label={t('setup.resourceName')} required value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} />
      </div>
      <div className="row numbers">
        <Field label={t('resource.capacity')} hint={t('resource.capacityHint')} type="number" min={1} required value={capacity} onChange={(e) => setCapacity(e.target.value)} error={fieldError(error, 'capacity')} />
        <Field label={t('resource.buffer')} hint={t('resource.bufferHint')} type="number" min={0} required value={buffer} onChange={(e) => setBuffer(e.target.value)} error={fieldError(error, 'bufferMinutes')} />
        <Field label={t('resource.minLength')} type="number" min={1} required value={minLen} onChange={(e) => setMinLen(e.target.value)} error={fieldError(error, 'minBookingMinutes')} />
        <Field label={t('resource.maxLength')} type="number" min={1} required value={maxLen} onChange={(e) => setMaxLen(e.target.value)} error={fieldError(error, 'maxBookingMinutes')} />
      </div>

      <TextAreaField
        label={t('resource.access')}
        hint={t('resource.accessHint')}
        maxLength={1000}
        rows={3}
        value={access}
        onChange={(e) => setAccess(e.target.value)}
        error={fieldError(error, 'accessInstructions')}
      />

      <fieldset>
        <legend>{t('resource.hours')}</legend>
        <p className="hint">{t('resource.hoursIn', { tz })}</p>
        <label className="check">
          <input type="checkbox" checked={alwaysOpen} onChange={(e) => setAlwaysOpen(e.target.checked)} />
          {t('resource.alwaysOpen')}
        </label>
        {!alwaysOpen && (
          <table className="hours-table">
            <thead>
              <tr>
                <th scope="col">{t('resource.day')}</th>
                <th scope="col">{t('setup.opensAt')}</th>
                <th scope="col">{t('setup.closesAt')}</th>
              </tr>
            </thead>
            <tbody>
              {DAYS.map((d) => (
                <tr key={d}>
                  <th scope="row">
                    <label className="check">
                      <input type="checkbox" checked={days[d].open} onChange={(e) => setDay(d, { open: e.target.checked })} />
                      <span>
                        <span aria-hidden="true">{t(`day.${d}` as MessageKey)}</span>
                        <span className="sr-only">{t('resource.openOn', { day: dayName(d) })}</span>
                      </span>
                    </label>
                  </th>
                  <td>
                    <input
                      type="time"
                      aria-label={t('resource.opensOn', { day: dayName(d) })}
                      disabled={!days[d].open}
                      required={days[d].open}
                      value={days[d].from}
                      onChange={(e) => setDay(d, { from: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      type="time"
                      aria-label={t('resource.closesOn', { day: dayName(d) })}
                      disabled={!days[d].open}
                      required={days[d].open}
                      value={days[d].to}
                      onChange={(e) => setDay(d, { to: e.target.value })}
                    />
                    {fieldError(error, `openingHours.${d}`) && <span className="field-error">{fieldError(error, `openingHours.${d}`)}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </fieldset>

      <fieldset>
        <legend>{t('resource.closures')}</legend>
        <p className="hint">{t('resource.closuresHint')}</p>
        {closed.length === 0 ? (
          <p>{t('resource.noClosures')}</p>
        ) : (
          <ul className="closure-list">
            {closed.map((c) => (
              <li key={c}>
                <span>{formatSiteDate(c, lang, tz)}</span>
                <button type="button" className="secondary" aria-label={`${t('resource.removeClosure')} ${formatSiteDate(c, lang, tz)}`} onClick={() => setClosed(closed.filter((x) => x !== c))}>
                  {t('resource.removeClosure')}
                </button>
              </li>
            ))}
          </ul>
        )}
        <div className="row">
          <Field label={t('resource.closureDate')} type="date" value={newClosure} onChange={(e) => setNewClosure(e.target.value)} error={fieldError(error, 'closedDates')} />
          <button
            type="button"
            className="secondary"
            disabled={!newClosure}
            onClick={() => {
              if (newClosure && !closed.includes(newClosure)) setClosed([...closed, newClosure].sort());
              setNewClosure('');
            }}
          >
            {t('resource.addClosure')}
          </button>
        </div>
      </fieldset>
      <ProblemMessage error={error} />
      <button type="submit" disabled={busy}>
        {resource ? t('resource.save') : t('setup.addResource')}
      </button>
    </form>
  );
}
