import { Link } from 'react-router';
import { useI18n } from '../shared/i18n';

/** On every page, signed in or out: the privacy policy and the contact form (P13, P14). */
export function Footer() {
  const { t } = useI18n();
  return (
    <footer className="site-footer">
      <nav aria-label={t('footer.nav')}>
        <ul>
          <li>
            <Link to="/privacy">{t('footer.privacy')}</Link>
          </li>
          <li>
            <Link to="/contact">{t('footer.contact')}</Link>
          </li>
        </ul>
      </nav>
    </footer>
  );
}
