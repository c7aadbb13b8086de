import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useI18n } from '../../shared/i18n';
import { PageTitle, ProblemMessage } from '../../shared/ui';
import { AuthFrame } from './AuthFrame';
import { PolicyText, usePolicy } from '../../shared/PolicyText';

/** Shown instead of the app while the person has not accepted the current policy version. */
export function PolicyUpdate() {
  const { t } = useI18n();
  const policy = usePolicy();
  const qc = useQueryClient();
  const [accepted, setAccepted] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <AuthFrame>
      <PageTitle title={t('policy.updateTitle')}>{t('policy.updateTitle')}</PageTitle>
      <p>{t('policy.updateIntro')}</p>
      <PolicyText />
      <form
        className="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (!policy.data) return;
          try {
            const me = await unwrap(api.POST('/api/me/policy-acceptance', { body: { version: policy.data.version } }));
            qc.setQueryData(['me'], me);
          } catch (err) {
            setError(err);
          }
        }}
      >
        <label className="check">
          <input type="checkbox" required checked={accepted} onChange={(e) => setAccepted(e.target.checked)} />
          {t('policy.accept', { version: policy.data?.version ?? '' })}
        </label>
        <ProblemMessage error={error} />
        <button type="submit" disabled={!accepted}>
          {t('policy.continue')}
        </button>
      </form>
    </AuthFrame>
  );
}
