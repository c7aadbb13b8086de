import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap, type Schemas } from '../../api/client';
import { useAuth } from '../../app/auth';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { formatDateTime } from '../../shared/time';
import { Loading, PageTitle, ProblemMessage } from '../../shared/ui';

type Status = Schemas['SupportStatus'];
const STATUSES: Status[] = ['open', 'answered', 'closed'];

/**
 * The support inbox (P14) for support staff: the accounts with the
 * platform role `support`, granted by the operator command
 * `insite-lms grant-support-role EMAIL`. The status shown is in the URL.
 */
export default function SupportInbox() {
  const { t, lang } = useI18n();
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const status = (STATUSES as string[]).includes(params.get('status') ?? '') ? (params.get('status') as Status) : 'open';
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<[MessageKey, string] | null>(null);
  const staff = me?.platformRoles.includes('support') ?? false;
  const requests = useQuery({
    queryKey: ['support', status],
    queryFn: () => unwrap(api.GET('/api/support/requests', { params: { query: { status, limit: 100 } } })),
    enabled: staff,
  });
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;

  async function setStatus(id: string, subject: string, next: Status) {
    setError(null);
    setDone(null);
    try {
      await unwrap(api.PATCH('/api/support/requests/{requestId}', { params: { path: { requestId: id } }, body: { status: next } }));
      await qc.invalidateQueries({ queryKey: ['support'] });
      setDone([next === 'closed' ? 'support.closedDone' : 'support.answeredDone', subject]);
    } catch (err) {
      setError(err);
    }
  }

  return (
    <div className="page">
      <PageTitle title={t('support.title')}>{t('support.title')}</PageTitle>
      {!staff ? (
        <p className="notice">{t('support.staffOnly')}</p>
      ) : (
        <>
          <nav aria-label={t('support.filter')}>
            <ul className="section-links">
              {STATUSES.map((s) => (
                <li key={s}>
                  <a
                    href={`?status=${s}`}
                    aria-current={s === status ? 'page' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      setParams({ status: s });
                    }}
                  >
                    {t(`support.status.${s}` as MessageKey)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <h2>{t('support.listOf', { status: t(`support.status.${status}` as MessageKey) })}</h2>
          <ProblemMessage error={error ?? requests.error} />
          {done && (
            <p className="notice success" role="status">
              {t(done[0], { subject: done[1] })}
            </p>
          )}
          {!requests.data ? (
            !requests.error && <Loading />
          ) : requests.data.items.length === 0 ? (
            <p>{t('support.none')}</p>
          ) : (
            <ul className="request-list">
              {requests.data.items.map((r) => (
                <li key={r.id} className="card">
                  <article aria-labelledby={`req-${r.id}`}>
                    <h3 id={`req-${r.id}`}>{r.subject}</h3>
                    <p className="muted">
                      {t('support.from', { name: r.name })} <a href={`mailto:${r.email}?subject=${encodeURIComponent(`Re: ${r.subject}`)}`}>{r.email}</a> ·{' '}
                      <time dateTime={r.at}>{formatDateTime(r.at, lang, tz)}</time> · {t(`support.status.${r.status}` as MessageKey)}
                    </p>
                    <p className="request-message">{r.message}</p>
                    <div className="actions">
                      {r.status === 'open' && (
                        <button
                          type="button"
                          className="secondary"
                          aria-label={`${t('support.markAnswered')}: ${r.subject}`}
                          onClick={() => setStatus(r.id, r.subject, 'answered')}
                        >
                          {t('support.markAnswered')}
                        </button>
                      )}
                      {r.status !== 'closed' && (
                        <button type="button" aria-label={`${t('support.close')}: ${r.subject}`} onClick={() => setStatus(r.id, r.subject, 'closed')}>
                          {t('support.close')}
                        </button>
                      )}
                    </div>
                  </article>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
