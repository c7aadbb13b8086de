import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { api, ApiProblem, unwrap, type Schemas } from '../../api/client';
import { useAuth } from '../../app/auth';
import { useProject } from '../../app/Layout';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { formatDate } from '../../shared/time';
import { Dialog, Field, fieldError, Loading, PageTitle, ProblemMessage, SelectField } from '../../shared/ui';

type Member = Schemas['MemberView'];
type Role = Schemas['Role'];
const ROLES: Role[] = ['owner', 'manager', 'member', 'viewer'];
const INVITE_ROLES: Role[] = ['manager', 'member', 'viewer'];

/** Members and invitations (issue 17). The role filter lives in the URL (`?role=`). */
export default function MembersPage() {
  const { t, lang } = useI18n();
  const { project, canManage } = useProject();
  const { me } = useAuth();
  const [params, setParams] = useSearchParams();
  const filter = params.get('role') ?? '';
  const projectId = project.id;
  const members = useQuery({
    queryKey: ['members', projectId],
    queryFn: () => unwrap(api.GET('/api/projects/{projectId}/members', { params: { path: { projectId }, query: { limit: 200 } } })),
  });
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Message | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const qc = useQueryClient();
  const list = members.data?.items ?? [];
  const shown = filter ? list.filter((m) => m.role === filter) : list;
  const name = (m: Member) => `${m.firstName} ${m.lastName}`;

  async function act(f: () => Promise<unknown>, message: Message): Promise<boolean> {
    setError(null);
    setDone(null);
    try {
      await f();
      await qc.invalidateQueries({ queryKey: ['members', projectId] });
      await qc.invalidateQueries({ queryKey: ['invitations', projectId] });
      setDone(message);
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  }

  return (
    <div className="page">
      <PageTitle title={t('members.title')}>{t('members.title')}</PageTitle>
      <section className="card" aria-labelledby="members-h">
        <h2 id="members-h">{t('members.list')}</h2>
        {!canManage && <p className="notice">{t('members.readOnly')}</p>}
        <div className="toolbar">
          <label>
            {t('members.filter')}
            <select
              value={filter}
              onChange={(e) => {
                const next = new URLSearchParams(params);
                if (e.target.value) next.set('role', e.target.value);
                else next.delete('role');
                setParams(next, { replace: true });
              }}
            >
              <option value="">{t('members.allRoles')}</option>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <MemberProblem error={error} />
        <Done message={done} />
        {members.error ? (
          <ProblemMessage error={members.error} />
        ) : !members.data ? (
          <Loading />
        ) : (
          <div className="table-scroll" tabIndex={0} role="region" aria-label={t('members.list')}>
            <table className="list-table">
              <caption className="sr-only">{t('members.list')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('members.name')}</th>
                  <th scope="col">{t('field.company')}</th>
                  <th scope="col">{t('members.role')}</th>
                  <th scope="col">{t('members.since')}</th>
                  {canManage && <th scope="col">{t('members.actions')}</th>}
                </tr>
              </thead>
              <tbody>
                {shown.map((m) => (
                  <tr key={m.userId}>
                    <th scope="row">
                      {name(m)}
                      {m.userId === me?.id && <span className="muted"> ({t('members.you')})</span>}
                      <span className="kind-label">{m.email}</span>
                    </th>
                    <td>{m.companyName ?? '–'}</td>
                    <td>
                      {canManage ? (
                        <RoleChange member={m} onChange={(role) => act(
                          () => unwrap(api.PATCH('/api/projects/{projectId}/members/{userId}', { params: { path: { projectId, userId: m.userId } }, body: { role } })),
                          ['members.roleChanged', { name: name(m), role }],
                        )} />
                      ) : (
                        t(`role.${m.role}` as MessageKey)
                      )}
                    </td>
                    <td>{formatDate(m.since, lang, project.timeZone)}</td>
                    {canManage && (
                      <td>
                        {m.userId === me?.id ? (
                          <a href="#leave-h">{t('members.leave')}</a>
                        ) : (
                          <button type="button" className="danger" onClick={() => setRemoving(m)}>
                            {t('members.remove', { name: name(m) })}
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <Dialog
        open={removing !== null}
        title={t('members.removeTitle', { name: removing ? name(removing) : '' })}
        onClose={() => setRemoving(null)}
      >
        <p>{t('members.removeText', { project: project.name })}</p>
        <div className="actions">
          <button
            type="button"
            className="danger"
            onClick={async () => {
              const m = removing!;
              setRemoving(null);
              await act(
                () => unwrap(api.DELETE('/api/projects/{projectId}/members/{userId}', { params: { path: { projectId, userId: m.userId } } })),
                ['members.removed', { name: name(m) }],
              );
            }}
          >
            {t('members.confirmRemove')}
          </button>
          <button type="button" className="secondary" onClick={() => setRemoving(null)}>
            {t('common.cancel')}
          </button>
        </div>
      </Dialog>
      {canManage && (
        <>
          <section className="card" aria-labelledby="inv-h">
            <h2 id="inv-h">{t('members.invite')}</h2>
            <Invite projectId={projectId} />
          </section>
          <Pending projectId={projectId} members={list} />
        </>
      )}
      <Leave projectId={projectId} projectName={project.name} />
    </div>
  );
}

/** Leave the project yourself, whatever the role; the last owner is told why not (409, reason `last-owner`). */
function Leave({ projectId, projectName }: { projectId: string; projectName: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <section className="card" aria-labelledby="leave-h">
      <h2 id="leave-h">{t('members.leave')}</h2>
      <p>{t('members.leaveText', { project: projectName })}</p>
      <ProblemMessage error={error} />
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        {t('members.leave')}
      </button>
      <Dialog open={asking} title={t('members.leaveTitle')} onClose={() => setAsking(false)}>
        <p>{t('members.leaveText', { project: projectName })}</p>
        <div className="actions">
          <button
            type="button"
            className="danger"
            onClick={async () => {
              setAsking(false);
              setError(null);
              try {
                await unwrap(api.POST('/api/projects/{projectId}/leave', { params: { path: { projectId } } }));
                await qc.invalidateQueries({ queryKey: ['projects'] });
                navigate(`/projects?left=${encodeURIComponent(projectName)}`);
              } catch (err) {
                setError(err);
              }
            }}
          >
            {t('members.confirmLeave')}
          </button>
          <button type="button" className="secondary" onClick={() => setAsking(false)}>
            {t('common.cancel')}
          </button>
        </div>
      </Dialog>
    </section>
  );
}

/** A success message as key and values, so that it follows a change of language; a role value is translated. */
type Message = [MessageKey, Record<string, string>];

function Done({ message }: { message: Message | null }) {
  const { t } = useI18n();
  if (!message) return null;
  const [key, vars] = message;
  const shown = vars.role ? { ...vars, role: t(`role.${vars.role}` as MessageKey) } : vars;
  return (
    <p className="notice success" role="status">
      {t(key, shown)}
    </p>
  );
}

/** A problem from a member operation; a 409 is the last owner, and says why in the person's language. */
function MemberProblem({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  return (
    <>
      {error instanceof ApiProblem && error.status === 409 && <p className="notice">{t('members.lastOwner')}</p>}
      {error instanceof ApiProblem && error.status === 403 && <p className="notice">{t('members.ownersOnly')}</p>}
      <ProblemMessage error={error} />
    </>
  );
}

function RoleChange({ member, onChange }: { member: Member; onChange: (role: Role) => Promise<boolean> }) {
  const { t } = useI18n();
  const [role, setRole] = useState<Role>(member.role);
  const who = `${member.firstName} ${member.lastName}`;
  return (
    <form
      className="row"
      onSubmit={async (e) => {
        e.preventDefault();
        // A refused change shows the role the member still has.
        if (!(await onChange(role))) setRole(member.role);
      }}
    >
      <label className="sr-only" htmlFor={`role-${member.userId}`}>
        {t('members.roleOf', { name: who })}
      </label>
      <select id={`role-${member.userId}`} value={role} onChange={(e) => setRole(e.target.value as Role)}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {t(`role.${r}` as MessageKey)}
          </option>
        ))}
      </select>
      <button type="submit" className="secondary" disabled={role === member.role} aria-label={t('members.saveRoleOf', { name: who })}>
        {t('members.saveRole')}
      </button>
    </form>
  );
}

/** Invite by email with a role; the consent confirmation shows the stored wording (P5). */
function Invite({ projectId }: { projectId: string }) {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [consent, setConsent] = useState(false);
  // The wording whose version the invitation stores (P5), word for word from the API.
  const wording = useQuery({
    queryKey: ['consent-wording'],
    queryFn: () => unwrap(api.GET('/api/invitations/consent-wording')),
    staleTime: Infinity,
  });
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Message | null>(null);
  return (
    <form
      className="form"
      onSubmit={async (e) => {
        e.preventDefault();
        setError(null);
        setDone(null);
        try {
          await unwrap(
            api.POST('/api/projects/{projectId}/invitations', {
              params: { path: { projectId } },
              body: { email, role, consentConfirmed: consent },
            }),
          );
          await qc.invalidateQueries({ queryKey: ['invitations', projectId] });
          setDone(['members.invited', { email }]);
          setEmail('');
          setConsent(false);
        } catch (err) {
          setError(err);
        }
      }}
    >
      <Field label={t('field.email')} type="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError(error, 'email')} />
      <SelectField label={t('members.role')} value={role} onChange={(e) => setRole(e.target.value as Role)}>
        {INVITE_ROLES.map((r) => (
          <option key={r} value={r}>
            {t(`role.${r}` as MessageKey)}
          </option>
        ))}
      </SelectField>
      {wording.error && <ProblemMessage error={wording.error} />}
      {wording.data && (
        <>
          <label className="check consent">
            <input type="checkbox" required checked={consent} onChange={(e) => setConsent(e.target.checked)} aria-describedby="consent-stored" />
            <span>{lang === 'en' ? wording.data.en : wording.data.de}</span>
          </label>
          <p className="hint" id="consent-stored">
            {t('members.consentStored', { version: wording.data.version })}
          </p>
        </>
      )}
      <ProblemMessage error={error} />
      <Done message={done} />
      <button type="submit">{t('members.sendInvite')}</button>
    </form>
  );
}

function Pending({ projectId, members }: { projectId: string; members: Member[] }) {
  const { t, lang } = useI18n();
  const { project } = useProject();
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Message | null>(null);
  const invitations = useQuery({
    queryKey: ['invitations', projectId],
    queryFn: () => unwrap(api.GET('/api/projects/{projectId}/invitations', { params: { path: { projectId }, query: { limit: 200 } } })),
  });
  const inviter = (id: string) => {
    const m = members.find((x) => x.userId === id);
    return m ? `${m.firstName} ${m.lastName}` : t('members.formerMember');
  };
  const items = invitations.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="pending-h">
      <h2 id="pending-h">{t('members.pending')}</h2>
      <ProblemMessage error={error ?? invitations.error} />
      <Done message={done} />
      {!invitations.data ? (
        !invitations.error && <Loading />
      ) : items.length === 0 ? (
        <p>{t('members.noPending')}</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label={t('members.pending')}>
          <table className="list-table">
            <caption className="sr-only">{t('members.pending')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('field.email')}</th>
                <th scope="col">{t('members.role')}</th>
                <th scope="col">{t('members.invitedBy')}</th>
                <th scope="col">{t('members.expires')}</th>
                <th scope="col">{t('members.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id}>
                  <th scope="row">{i.email}</th>
                  <td>{t(`role.${i.role}` as MessageKey)}</td>
                  <td>{inviter(i.invitedBy)}</td>
                  <td>{formatDate(i.expiresAt, lang, project.timeZone)}</td>
                  <td>
                    <div className="actions">
                    <button
                      type="button"
                      className="secondary"
                      onClick={async () => {
                        setError(null);
                        setDone(null);
                        try {
                          await unwrap(
                            api.POST('/api/projects/{projectId}/invitations/{invitationId}/resend', {
                              params: { path: { projectId, invitationId: i.id } },
                            }),
                          );
                          setDone(['members.resent', { email: i.email }]);
                        } catch (err) {
                          setError(err);
                        }
                      }}
                    >
                      {t('members.resend', { email: i.email })}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      onClick={async () => {
                        setError(null);
                        setDone(null);
                        try {
                          await unwrap(
                            api.DELETE('/api/projects/{projectId}/invitations/{invitationId}', {
                              params: { path: { projectId, invitationId: i.id } },
                            }),
                          );
                          await qc.invalidateQueries({ queryKey: ['invitations', projectId] });
                          setDone(['members.withdrawn', { email: i.email }]);
                        } catch (err) {
                          setError(err);
                        }
                      }}
                    >
                      {t('members.withdraw', { email: i.email })}
                    </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
