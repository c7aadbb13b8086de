import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { Footer } from '../../app/Footer';
import { useI18n, type Language } from '../../shared/i18n';

/** The frame of the signed-out screens: product name, language switch, content. */
export function AuthFrame({ children }: { children: ReactNode }) {
  const { t, lang, setLanguage } = useI18n();
  return (
    <div className="auth-frame">
      <header className="auth-header">
        <Link to="/" className="brand">
          Insite LMS
        </Link>
        <label className="sr-only" htmlFor="auth-lang">
          {t('nav.language')}
        </label>
        <select id="auth-lang" value={lang} onChange={(e) => setLanguage(e.target.value as Language)}>
          <option value="de">Deutsch</option>
          <option value="en">English</option>
        </select>
      </header>
      <main id="main" className="auth-main">
        {children}
      </main>
      <Footer />
    </div>
  );
}
