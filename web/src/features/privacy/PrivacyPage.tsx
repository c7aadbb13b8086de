import { Link } from 'react-router';
import { useAuth } from '../../app/auth';
import { useI18n } from '../../shared/i18n';
import { formatDate } from '../../shared/time';
import { Loading, PageTitle, ProblemMessage } from '../../shared/ui';
import { usePolicy } from '../../shared/PolicyText';

/**
 * The current privacy policy (P13), for everyone. The API publishes it in
 * German only, so in English the page says that the German text is the
 * one that applies. Signed in, it tells which version the person accepted
 * and leads to the re-acceptance when a newer one is in force.
 */
export default function PrivacyPage() {
  const { t, lang } = useI18n();
  const { signedIn, me } = useAuth();
  const policy = usePolicy();
  return (
    <div className="page privacy-page">
      <PageTitle title={t('privacy.title')}>{t('privacy.title')}</PageTitle>
      {policy.error ? (
        <ProblemMessage error={policy.error} />
      ) : !policy.data ? (
        <Loading />
      ) : (
        <>
          <p>{t('privacy.version', { version: policy.data.version })}</p>
          {lang !== 'de' && <p className="notice">{t('privacy.germanOnly')}</p>}
          {signedIn && me && !me.policyUpdateRequired && (
            <p className="notice success">
              {t('privacy.accepted', { version: me.acceptedPolicyVersion, date: formatDate(me.acceptedPolicyAt, lang, Intl.DateTimeFormat().resolvedOptions().timeZone) })}
            </p>
          )}
          {signedIn && me?.policyUpdateRequired && (
            <p className="notice">
              {t('privacy.updateRequired')} <Link to="/projects">{t('privacy.reaccept')}</Link>
            </p>
          )}
          {!signedIn && (
            <p>
              <Link to="/sign-up">{t('privacy.signUp')}</Link> · <Link to="/sign-in">{t('privacy.signIn')}</Link>
            </p>
          )}
          <article className="policy-full" lang="de" aria-label={t('privacy.text')}>
            <pre>{policy.data.text}</pre>
          </article>
        </>
      )}
    </div>
  );
}
