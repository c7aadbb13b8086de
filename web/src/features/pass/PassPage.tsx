import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useParams } from 'react-router';
import { useI18n, type Language, type MessageKey } from '../../shared/i18n';
import { formatDate, formatDateTime, formatTime, localDate } from '../../shared/time';
import { PageTitle } from '../../shared/ui';
import { loadPass, planUrl, qrUrl, type DeadReason, type PassView } from '../../shared/passes';
import { formatCode } from '../../shared/passCode';
import { PlanView } from './PlanView';
import './pass.css';

const DEAD_TEXT: Record<DeadReason, MessageKey> = {
  declined: 'pass.dead.declined',
  cancelled: 'pass.dead.cancelled',
  'turned-away': 'pass.dead.turnedAway',
  expired: 'pass.dead.expired',
};

/** Keeps search engines off the page while it is shown (the server says so in a header too). */
function useNoIndex() {
  useEffect(() => {
    const meta = document.createElement('meta');
    meta.name = 'robots';
    meta.content = 'noindex';
    document.head.appendChild(meta);
    return () => meta.remove();
  }, []);
}

/**
 * The driver's pass: a public page at an unguessable link, for people
 * without an account, read on a phone in the cab or printed. Nothing here
 * loads from another site; the address links out to a maps app only.
 */
export default function PassPage() {
  const { token = '' } = useParams();
  const { t } = useI18n();
  useNoIndex();
  const pass = useQuery({ queryKey: ['pass', token], queryFn: () => loadPass(token), retry: 2, staleTime: 60_000 });
  const r = pass.data;
  return (
    <div className="pass-frame">
      <header className="pass-header">
        <p className="pass-brand">{t('pass.brand')}</p>
        <LanguageSwitch />
      </header>
      <main id="main" className="pass-main">
        {pass.isPending ? (
          <p role="status">{t('common.loading')}</p>
        ) : pass.error || !r ? (
          <section className="pass-state">
            <PageTitle title={t('pass.errorTitle')}>{t('pass.errorTitle')}</PageTitle>
            <p>{t('pass.errorText')}</p>
            <button type="button" className="big" onClick={() => void pass.refetch()}>
              {t('pass.retry')}
            </button>
          </section>
        ) : r.state === 'unknown' ? (
          <section className="pass-state">
            <PageTitle title={t('pass.unknownTitle')}>{t('pass.unknownTitle')}</PageTitle>
            <p>{t('pass.unknownText')}</p>
          </section>
        ) : r.state === 'dead' ? (
          <section className="pass-state dead">
            <PageTitle title={t('pass.deadTitle')}>{t('pass.deadTitle')}</PageTitle>
            <p className="pass-dead-reason">{t(r.reason && DEAD_TEXT[r.reason] ? DEAD_TEXT[r.reason] : 'pass.dead.other')}</p>
            <p>{t('pass.deadText')}</p>
          </section>
        ) : (
          <Pass token={token} pass={r.pass} />
        )}
      </main>
    </div>
  );
}

function LanguageSwitch() {
  const { t, lang, setLanguage } = useI18n();
  const langs: [Language, string][] = [
    ['de', 'Deutsch'],
    ['en', 'English'],
  ];
  return (
    <div className="pass-lang" role="group" aria-label={t('nav.language')}>
      {langs.map(([l, name]) => (
        <button key={l} type="button" lang={l} aria-pressed={lang === l} className={lang === l ? '' : 'secondary'} onClick={() => setLanguage(l)}>
          {name}
        </button>
      ))}
    </div>
  );
}

function Pass({ token, pass }: { token: string; pass: PassView }) {
  const { t, lang } = useI18n();
  const tz = pass.timeZone;
  const sameDay = localDate(Date.parse(pass.start), tz) === localDate(Date.parse(pass.end), tz);
  const when = sameDay
    ? `${formatDate(pass.start, lang, tz)}, ${formatTime(pass.start, lang, tz)}–${formatTime(pass.end, lang, tz)}`
    : `${formatDateTime(pass.start, lang, tz)} – ${formatDateTime(pass.end, lang, tz)}`;
  const address = pass.project.address;
  return (
    <>
      <PageTitle title={t('pass.title')}>
        {t('pass.title')}
        <span className="pass-project">{pass.project.name}</span>
      </PageTitle>

      {pass.awaitingApproval && (
        <p className="pass-state pending" role="status">
          {t('pass.awaitingApproval')}
        </p>
      )}

      <section className="pass-card pass-key" aria-label={t('pass.when')}>
        {pass.code && (
          <>
            <p id="pass-code-label" className="pass-label">
              {t('pass.code')}
            </p>
            <p className="pass-code">{formatCode(pass.code)}</p>
          </>
        )}
        <p className="pass-label">{t('pass.when')}</p>
        <p className="pass-when">{when}</p>
        <p className="pass-zone">{t('pass.zone', { tz })}</p>
        <p className="pass-valid">{t('pass.validUntil', { until: formatDateTime(pass.validUntil, lang, tz) })}</p>
      </section>

      <section className="pass-card" aria-labelledby="pass-where">
        <h2 id="pass-where">{t('pass.where')}</h2>
        <p className="pass-address">{address}</p>
        {address && (
          <ul className="pass-links">
            <li>
              <a className="button" href={`geo:0,0?q=${encodeURIComponent(address)}`}>
                {t('pass.mapsApp')}
              </a>
            </li>
            <li>
              <a className="button secondary" href={`https://www.openstreetmap.org/search?query=${encodeURIComponent(address)}`} rel="noreferrer noopener" target="_blank">
                {t('pass.osm')}
                <span className="sr-only"> {t('pass.newWindow')}</span>
              </a>
            </li>
          </ul>
        )}
        {pass.project.accessInstructions && (
          <>
            <h3>{t('pass.siteInstructions')}</h3>
            <p className="pass-text">{pass.project.accessInstructions}</p>
          </>
        )}
      </section>

      <section className="pass-card" aria-labelledby="pass-resources">
        <h2 id="pass-resources">{t('pass.resources')}</h2>
        <ul className="pass-resource-list">
          {pass.resources.map((r, i) => (
            <li key={`${r.name}-${i}`}>
              <h3>
                {r.name} <span className="pass-kind">({t(`kind.${r.kind}` as MessageKey)})</span>
              </h3>
              {r.accessInstructions ? <p className="pass-text">{r.accessInstructions}</p> : <p className="muted">{t('pass.noInstructions')}</p>}
            </li>
          ))}
        </ul>
      </section>

      {pass.plans.length > 0 && (
        <section className="pass-card pass-plans" aria-labelledby="pass-plan">
          <h2 id="pass-plan">{t('pass.plan')}</h2>
          {pass.plans.map((plan, i) => {
            const marks = pass.resources.flatMap((r, j) =>
              r.placement && r.placement.planId === plan.id ? [{ id: `${r.name}-${j}`, label: r.name, placement: r.placement }] : [],
            );
            const names = marks.map((m) => m.label).join(', ');
            return (
              <figure key={plan.id} className="pass-plan">
                <PlanView
                  src={planUrl(token, plan.id)}
                  width={plan.width}
                  height={plan.height}
                  alt={t('pass.planAlt', { n: i + 1, names })}
                  marks={marks}
                />
                <figcaption>{t('pass.planCaption', { names })}</figcaption>
              </figure>
            );
          })}
        </section>
      )}

      <section className="pass-card pass-qr" aria-labelledby="pass-qr">
        <h2 id="pass-qr">{t('pass.qr')}</h2>
        <p>{t('pass.qrText')}</p>
        <img src={qrUrl(token)} alt={t('pass.qrAlt', { code: pass.code ? formatCode(pass.code) : '' })} width={240} height={240} />
      </section>
      <p className="pass-privacy muted">{t('pass.privacy')}</p>
      <p className="pass-print">
        <button type="button" className="secondary" onClick={() => window.print()}>
          {t('pass.print')}
        </button>
      </p>
    </>
  );
}
