import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiProblem, api, unwrap, type Booking } from '../../api/client';
import { useProject } from '../../app/Layout';
import { resourceNames } from '../../shared/bookings';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { formatSiteDate, formatTime, localDate, todayIn } from '../../shared/time';
import { Field, ProblemMessage, StatusBadge } from '../../shared/ui';
import { problemReason, gateLookup, type LookupQuery } from '../../shared/passes';
import { normaliseCode, tokenFromScan } from '../../shared/passCode';
import { withRetry } from './retry';
import { Scanner, type CameraProblem } from './Scanner';

const CAMERA_TEXT: Record<CameraProblem, MessageKey> = {
  denied: 'scan.denied',
  none: 'scan.noCamera',
  failed: 'scan.cameraError',
};

const DEAD_TEXT: Record<string, MessageKey> = {
  declined: 'scan.dead.declined',
  cancelled: 'scan.dead.cancelled',
  'turned-away': 'scan.dead.turnedAway',
  expired: 'scan.dead.expired',
};

/** The localized refusal of a lookup, or null when the generic problem text fits better. */
function refusal(e: unknown): MessageKey | null {
  if (!(e instanceof ApiProblem)) return null;
  const reason = problemReason({ extensions: e.extensions });
  if (e.status === 404) return 'scan.unknown';
  if (e.status === 409 && reason === 'other-project') return 'scan.otherProject';
  if (e.status === 410) return (reason && DEAD_TEXT[reason]) || 'scan.dead.other';
  return null;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'busy'; retry: number }
  | { kind: 'failed'; error: unknown; text?: MessageKey }
  | { kind: 'found'; booking: Booking };

/**
 * Scan a driver's pass (or type its code) and check the booking in or out
 * with one tap. Lookups and check-ins retry on a lost connection; the server
 * makes check-in idempotent, and the button is off while a request runs.
 */
export function GateScan() {
  const { t, lang } = useI18n();
  const { project, resources } = useProject();
  const tz = project.timeZone;
  const qc = useQueryClient();
  const [camera, setCamera] = useState(false);
  const [cameraTrouble, setCameraTrouble] = useState<CameraProblem | null>(null);
  const [code, setCode] = useState('');
  const [codeError, setCodeError] = useState<string>();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [acting, setActing] = useState<{ retry: number } | null>(null);
  const [done, setDone] = useState('');
  // A second tap in the same frame, before React has disabled the button.
  const inFlight = useRef(false);
  const result = useRef<HTMLElement>(null);
  const codeField = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (phase.kind === 'found') result.current?.focus();
  }, [phase]);

  const lookup = async (query: LookupQuery) => {
    setCamera(false);
    setCameraTrouble(null);
    setDone('');
    setPhase({ kind: 'busy', retry: 0 });
    try {
      const booking = await withRetry(
        () => gateLookup(project.id, query),
        (n) => setPhase({ kind: 'busy', retry: n }),
      );
      setPhase({ kind: 'found', booking });
    } catch (e) {
      setPhase({ kind: 'failed', error: e, text: refusal(e) ?? undefined });
    }
  };

  const onScan = (text: string) => {
    setCamera(false);
    // A code typed earlier belongs to another truck.
    setCode('');
    setCodeError(undefined);
    const token = tokenFromScan(text);
    if (!token) {
      setPhase({ kind: 'failed', error: null, text: 'scan.notPass' });
      return;
    }
    void lookup({ pass: token });
  };

  const onCode = (e: FormEvent) => {
    e.preventDefault();
    const normal = normaliseCode(code);
    if (!normal) {
      setCodeError(t('scan.codeInvalid'));
      return;
    }
    setCodeError(undefined);
    void lookup({ code: normal });
  };

  const step = async (b: Booking, verb: 'check-in' | 'check-out') => {
    if (inFlight.current) return;
    inFlight.current = true;
    setActing({ retry: 0 });
    const opts = { params: { path: { projectId: project.id, bookingId: b.id } }, body: {} };
    try {
      const booking = await withRetry(
        () =>
          unwrap(
            verb === 'check-in'
              ? api.POST('/api/projects/{projectId}/bookings/{bookingId}/check-in', opts)
              : api.POST('/api/projects/{projectId}/bookings/{bookingId}/check-out', opts),
          ),
        (n) => setActing({ retry: n }),
      );
      setPhase({ kind: 'found', booking });
      const who = booking.licencePlate || booking.company || formatTime(booking.start, lang, tz);
      setDone(verb === 'check-in' ? t('gate.checkedIn', { who }) : t('gate.checkedOut', { who }));
      await qc.invalidateQueries({ queryKey: ['bookings', project.id] });
    } catch (e) {
      setPhase({ kind: 'failed', error: e, text: refusal(e) ?? undefined });
    } finally {
      inFlight.current = false;
      setActing(null);
    }
  };

  const busy = phase.kind === 'busy' || acting !== null;
  const retry = phase.kind === 'busy' ? phase.retry : (acting?.retry ?? 0);

  return (
    <section className="gate-scan card" aria-labelledby="gate-scan-title">
      <h2 id="gate-scan-title">{t('scan.title')}</h2>
      <div className="gate-scan-controls">
        <div className="gate-scan-camera">
          {camera ? (
            <button type="button" className="big secondary" onClick={() => setCamera(false)}>
              {t('scan.stop')}
            </button>
          ) : (
            <button
              type="button"
              className="big"
              onClick={() => {
                setCameraTrouble(null);
                setPhase({ kind: 'idle' });
                setDone('');
                setCamera(true);
              }}
            >
              {t('scan.open')}
            </button>
          )}
        </div>
        <form className="gate-code" onSubmit={onCode} noValidate>
          <div ref={codeField}>
            <Field
              label={t('scan.code')}
              hint={t('scan.codeHint')}
              error={codeError}
              value={code}
              onChange={(e) => setCode(e.target.value)}
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              inputMode="text"
            />
          </div>
          <button type="submit" className="big" disabled={busy}>
            {t('scan.find')}
          </button>
        </form>
      </div>
      {camera && (
        <Scanner
          onScan={onScan}
          onProblem={(p) => {
            setCamera(false);
            setCameraTrouble(p);
            codeField.current?.querySelector('input')?.focus();
          }}
        />
      )}
      {cameraTrouble && (
        <div className="problem" role="alert">
          <p className="problem-title">{t(CAMERA_TEXT[cameraTrouble])}</p>
        </div>
      )}
      <p role="status" className="gate-message">
        {busy ? (retry > 0 ? t('scan.retrying', { n: retry }) : phase.kind === 'busy' ? t('scan.searching') : t('scan.saving')) : done}
      </p>
      {phase.kind === 'failed' &&
        (phase.text ? (
          <div className="problem" role="alert">
            <p className="problem-title">{t(phase.text)}</p>
          </div>
        ) : (
          <ProblemMessage error={phase.error} />
        ))}
      {phase.kind === 'found' && (
        <section ref={result} tabIndex={-1} className="gate-card gate-found" aria-labelledby="gate-found-title">
          <h3 id="gate-found-title" className="sr-only">
            {t('scan.result')}
          </h3>
          <div className="gate-time">
            {formatTime(phase.booking.start, lang, tz)}–{formatTime(phase.booking.end, lang, tz)}
            {localDate(Date.parse(phase.booking.start), tz) !== todayIn(tz) && (
              <span className="other-day">{t('scan.otherDay', { date: formatSiteDate(localDate(Date.parse(phase.booking.start), tz), lang, tz) })}</span>
            )}
          </div>
          <div className="gate-main">
            <p className="plate">{phase.booking.licencePlate || '—'}</p>
            <p>{[phase.booking.company, phase.booking.material, phase.booking.quantity].filter(Boolean).join(' · ')}</p>
            <p className="muted">{resourceNames(phase.booking, resources)}</p>
            {phase.booking.code && (
              <p>
                {t('bpass.code')}: <strong className="gate-code-value">{phase.booking.code}</strong>
              </p>
            )}
            <StatusBadge status={phase.booking.status} noShow={phase.booking.noShow} />
          </div>
          <div className="gate-actions">
            {phase.booking.status === 'approved' && (
              <button type="button" className="big huge" disabled={busy} onClick={() => void step(phase.booking, 'check-in')}>
                {t('gate.checkIn')}
              </button>
            )}
            {phase.booking.status === 'checkedIn' && (
              <button type="button" className="big huge" disabled={busy} onClick={() => void step(phase.booking, 'check-out')}>
                {t('gate.checkOut')}
              </button>
            )}
          </div>
        </section>
      )}
    </section>
  );
}
