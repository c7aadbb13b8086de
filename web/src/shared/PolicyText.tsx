import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { useI18n } from './i18n';
import { Loading, ProblemMessage } from './ui';

export function usePolicy() {
  return useQuery({ queryKey: ['privacy-policy'], queryFn: () => unwrap(api.GET('/api/privacy-policy')), staleTime: Infinity });
}

/** The privacy policy's text in a scrollable, focusable region. */
export function PolicyText() {
  const { t } = useI18n();
  const policy = usePolicy();
  if (policy.error) return <ProblemMessage error={policy.error} />;
  if (!policy.data) return <Loading />;
  return (
    <section className="policy" aria-label={t('policy.region', { version: policy.data.version })} tabIndex={0}>
      <pre>{policy.data.text}</pre>
    </section>
  );
}
