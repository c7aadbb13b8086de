import { useQuery } from '@tanstack/react-query';
import { NavLink, Outlet, useLocation, useNavigate, useOutletContext, useParams, useSearchParams } from 'react-router';
import { api, unwrap, type Project, type Resource } from '../api/client';
import { useI18n, type Language } from '../shared/i18n';
import { Loading, ProblemMessage } from '../shared/ui';
import { useAuth } from './auth';
import { Footer } from './Footer';

export function useProjects() {
  return useQuery({ queryKey: ['projects'], queryFn: () => unwrap(api.GET('/api/projects', { params: { query: { limit: 200 } } })) });
}

export function Layout() {
  const { t, lang } = useI18n();
  const { me, signOut, setLanguage } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  // The wallboard shows the board alone: no header, no controls.
  if (params.get('wall') === '1') return <Outlet />;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header className="topbar">
        <NavLink to="/projects" className="brand">
          Insite LMS
        </NavLink>
        <ProjectSwitcher />
        <div className="topbar-end">
          <label className="sr-only" htmlFor="lang-switch">
            {t('nav.language')}
          </label>
          <select id="lang-switch" value={lang} onChange={(e) => void setLanguage(e.target.value as Language)}>
            <option value="de">Deutsch</option>
            <option value="en">English</option>
          </select>
          {me?.platformRoles.includes('support') && <NavLink to="/support">{t('nav.support')}</NavLink>}
          {me?.organizationId && <NavLink to="/organization">{t('nav.organization')}</NavLink>}
          <NavLink to="/account" className="user">
            {me ? `${me.firstName} ${me.lastName}` : t('nav.account')}
            <span className="sr-only"> – {t('nav.account')}</span>
          </NavLink>
          <button
            type="button"
            className="secondary"
            onClick={async () => {
              await signOut();
              navigate('/sign-in');
            }}
          >
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
      <Footer />
    </div>
  );
}

function ProjectSwitcher() {
  const { t } = useI18n();
  const { projectId } = useParams();
  const projects = useProjects();
  const navigate = useNavigate();
  const location = useLocation();
  if (!projectId || !projects.data || projects.data.items.length < 2) return null;
  const sub = location.pathname.split('/')[3] ?? 'board';
  return (
    <div className="switcher">
      <label htmlFor="project-switch" className="sr-only">
        {t('nav.project')}
      </label>
      <select id="project-switch" value={projectId} onChange={(e) => navigate(`/p/${e.target.value}/${sub}`)}>
        {projects.data.items.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </div>
  );
}

export interface ProjectContext {
  project: Project;
  resources: Resource[];
  canManage: boolean;
}

export function useProject(): ProjectContext {
  return useOutletContext<ProjectContext>();
}

export function ProjectLayout() {
  const { t } = useI18n();
  const { projectId = '' } = useParams();
  const [params] = useSearchParams();
  const project = useQuery({
    queryKey: ['project', projectId],
    queryFn: () => unwrap(api.GET('/api/projects/{projectId}', { params: { path: { projectId } } })),
  });
  const resources = useQuery({
    queryKey: ['resources', projectId],
    queryFn: () => unwrap(api.GET('/api/projects/{projectId}/resources', { params: { path: { projectId } } })),
  });
  if (project.error || resources.error) return <ProblemMessage error={project.error ?? resources.error} />;
  if (!project.data || !resources.data) return <Loading />;
  const canManage = project.data.role === 'owner' || project.data.role === 'manager';
  const canBook = project.data.role !== 'viewer';
  const ctx: ProjectContext = { project: project.data, resources: resources.data.items, canManage };
  if (params.get('wall') === '1') return <Outlet context={ctx} />;
  return (
    <>
      <nav className="project-nav" aria-label={t('nav.projectNav')}>
        <p className="project-name">{project.data.name}</p>
        <ul>
          <li>
            <NavLink to="board">{t('nav.board')}</NavLink>
          </li>
          <li>
            <NavLink to="site-plan">{t('nav.sitePlan')}</NavLink>
          </li>
          {canBook && (
            <li>
              <NavLink to="book">{t('nav.book')}</NavLink>
            </li>
          )}
          {canBook && (
            <li>
              <NavLink to="my-bookings">{t('nav.myBookings')}</NavLink>
            </li>
          )}
          {canManage && (
            <li>
              <NavLink to="approvals">{t('nav.approvals')}</NavLink>
            </li>
          )}
          {canManage && (
            <li>
              <NavLink to="gate">{t('nav.gate')}</NavLink>
            </li>
          )}
          <li>
            <NavLink to="members">{t('nav.members')}</NavLink>
          </li>
          {canManage && (
            <li>
              <NavLink to="setup">{t('nav.setup')}</NavLink>
            </li>
          )}
          <li>
            <NavLink to="files">{t('nav.files')}</NavLink>
          </li>
          {canManage && (
            <li>
              <NavLink to="audit">{t('nav.audit')}</NavLink>
            </li>
          )}
          <li>
            <NavLink to="reports">{t('nav.reports')}</NavLink>
          </li>
        </ul>
      </nav>
      <Outlet context={ctx} />
    </>
  );
}
