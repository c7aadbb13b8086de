import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { useI18n } from './i18n';
import { formatDateTime } from './time';
import { ConfirmDialog, ProblemMessage } from './ui';
import { bookingPass, regeneratePass } from './passes';
import { formatCode } from './passCode';

/**
 * The driver's pass of an approved booking, for whoever can see the
 * booking: its code, its link to copy or open, and a new link that revokes
 * the old one. The link is shown in a field too, for when the clipboard is
 * not allowed (an insecure origin, an old browser).
 */
export function BookingPass({ projectId, bookingId, tz }: { projectId: string; bookingId: string; tz: string }) {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const id = useId();
  const field = useRef<HTMLInputElement>(null);
  const key = ['pass-of', projectId, bookingId];
  const pass = useQuery({ queryKey: key, queryFn: () => bookingPass(projectId, bookingId) });
  const [message, setMessage] = useState('');
  const [confirming, setConfirming] = useState(false);

  const copy = async (link: string) => {
    try {
      await navigator.clipboard.writeText(link);
      setMessage(t('bpass.copied'));
    } catch {
      field.current?.focus();
      field.current?.select();
      setMessage(t('bpass.copyFailed'));
    }
  };

  const p = pass.data;
  return (
    <section className="booking-pass" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t('bpass.title')}</h3>
      {pass.error ? (
        <ProblemMessage error={pass.error} />
      ) : pass.isPending ? (
        <p className="loading">{t('common.loading')}</p>
      ) : !p ? (
        <p>{t('bpass.none')}</p>
      ) : (
        <>
          <p className="muted">{t('bpass.intro')}</p>
          {p.code && (
            <p className="booking-pass-code">
              <span className="booking-pass-label">{t('bpass.code')}:</span> <strong>{formatCode(p.code)}</strong>
            </p>
          )}
          <div className="field">
            <label htmlFor={`${id}-link`}>{t('bpass.link')}</label>
            <span className="hint" id={`${id}-valid`}>
              {t('bpass.validUntil', { until: formatDateTime(p.validUntil, lang, tz) })}
            </span>
            <input id={`${id}-link`} ref={field} readOnly value={p.link} aria-describedby={`${id}-valid`} onFocus={(e) => e.target.select()} />
          </div>
          <div className="actions">
            <button type="button" onClick={() => void copy(p.link)}>
              {t('bpass.copy')}
            </button>
            <a className="button secondary" href={p.link} target="_blank" rel="noreferrer noopener">
              {t('bpass.open')}
              <span className="sr-only"> {t('pass.newWindow')}</span>
            </a>
            <button type="button" className="secondary" onClick={() => setConfirming(true)}>
              {t('bpass.regenerate')}
            </button>
          </div>
        </>
      )}
      <p role="status" className="booking-pass-status">
        {message}
      </p>
      {confirming && (
        <ConfirmDialog
          title={t('bpass.regenerateTitle')}
          text={t('bpass.regenerateText')}
          confirmLabel={t('bpass.regenerate')}
          onClose={() => setConfirming(false)}
          onConfirm={async () => {
            const fresh = await regeneratePass(projectId, bookingId);
            qc.setQueryData(key, fresh);
            setConfirming(false);
            setMessage(t('bpass.regenerated'));
          }}
        />
      )}
    </section>
  );
}
