import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useAuth } from '../../app/auth';
import { useI18n } from '../../shared/i18n';
import { Field, fieldError, PageTitle, ProblemMessage, TextAreaField } from '../../shared/ui';

/** The public contact form (P14): works signed out; signed in, name and address are filled in. */
export default function ContactPage() {
  const { t } = useI18n();
  const { me } = useAuth();
  const [name, setName] = useState(me ? `${me.firstName} ${me.lastName}` : '');
  const [email, setEmail] = useState(me?.email ?? '');
  const [subject, setSubject] = useState('');
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  return (
    <div className="page">
      <PageTitle title={t('contact.title')}>{t('contact.title')}</PageTitle>
      <p>{t('contact.intro')}</p>
      {sent ? (
        <div className="notice success" role="status">
          <p>{t('contact.sent')}</p>
          <button
            type="button"
            className="secondary"
            onClick={() => {
              setSent(false);
              setSubject('');
              setMessage('');
            }}
          >
            {t('contact.another')}
          </button>
        </div>
      ) : (
        <form
          className="form"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(null);
            try {
              await unwrap(api.POST('/api/support/requests', { body: { name, email, subject, message } }));
              setSent(true);
            } catch (err) {
              setError(err);
            }
          }}
        >
          <Field label={t('contact.name')} required autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} error={fieldError(error, 'name')} />
          <Field label={t('field.email')} type="email" required autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(error, 'email')} />
          <Field label={t('contact.subject')} required value={subject} onChange={(e) => setSubject(e.target.value)} error={fieldError(error, 'subject')} />
          <TextAreaField label={t('contact.message')} required rows={6} value={message} onChange={(e) => setMessage(e.target.value)} />
          <p className="hint">{t('contact.stored')}</p>
          <ProblemMessage error={error} />
          <button type="submit">{t('contact.send')}</button>
        </form>
      )}
    </div>
  );
}
