// Sets up data through the public API (as curl would) for the tests that
// are about one screen; the end-to-end test does everything in the browser.
import { PASSWORD } from './helpers';
import { deliverMails, invitationLink, type Server } from './server';

export class Seed {
  token = '';
  constructor(public base: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, token = this.token): Promise<T> {
    const r = await fetch(`${this.base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async registerAdmin(email: string, company = 'Generalbau GmbH'): Promise<void> {
    const policy = await this.call<{ version: string }>('GET', '/api/privacy-policy');
    await this.call('POST', '/api/organizations/register', {
      organization: { name: company, country: 'AT' },
      admin: { email, firstName: 'Anna', lastName: 'Bauer', password: PASSWORD },
      acceptedPolicyVersion: policy.version,
    });
    this.token = (await this.call<{ accessToken: string }>('POST', '/api/auth/login', { email, password: PASSWORD })).accessToken;
  }

  async project(name = 'Wohnbau Seestadt', timeZone = 'Europe/Vienna'): Promise<string> {
    return (await this.call<{ id: string }>('POST', '/api/projects', { name, address: 'Seestadtstraße 1, 1220 Wien', timeZone })).id;
  }

  async resource(project: string, kind: string, name: string, from = '06:00', to = '18:00'): Promise<string> {
    const days = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
    const openingHours = Object.fromEntries(days.map((d) => [d, [{ from, to }]]));
    return (await this.call<{ id: string }>('POST', `/api/projects/${project}/resources`, { kind, name, openingHours })).id;
  }

  async book(project: string, resourceIds: string[], start: string, end: string, extra: Record<string, string> = {}): Promise<string> {
    return (
      await this.call<{ id: string }>('POST', `/api/projects/${project}/bookings`, {
        resourceIds,
        start,
        end,
        company: 'Beton Huber GmbH',
        material: 'Transportbeton C25/30',
        ...extra,
      })
    ).id;
  }
}

/**
 * A site time zone offered by the app in which it is now between 01:00 and
 * 22:00: Vienna, or New York when Vienna is near midnight. Tests that book
 * "today" and look at today's gate list create their project in it, so they
 * pass at every hour of the day.
 */
export function workdayZone(now = new Date()): string {
  const hour = Number(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Vienna', hour: '2-digit', hourCycle: 'h23' }).format(now),
  );
  return hour >= 1 && hour < 22 ? 'Europe/Vienna' : 'America/New_York';
}

/** The date `daysAhead` days from now at the site (YYYY-MM-DD), in `tz`. */
export function siteDate(daysAhead: number, tz = 'Europe/Vienna'): string {
  const d = new Date(Date.now() + daysAhead * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/**
 * A new person joins `project` with `role` through an invitation (consent
 * confirmed) and creates their account from the mail's link, as the browser
 * would. They have no organization, so they may delete their account.
 */
export async function newMember(
  owner: Seed,
  server: Server,
  project: string,
  who: { email: string; role: string; firstName: string; lastName: string; company: string },
): Promise<Seed> {
  await owner.call('POST', `/api/projects/${project}/invitations`, { email: who.email, role: who.role, consentConfirmed: true });
  await deliverMails(server);
  const token = invitationLink(server, who.email).split('/invitations/')[1];
  const person = new Seed(owner.base);
  const policy = await person.call<{ version: string }>('GET', '/api/privacy-policy');
  await person.call('POST', `/api/invitations/${token}/accept`, {
    firstName: who.firstName,
    lastName: who.lastName,
    companyName: who.company,
    password: PASSWORD,
    acceptedPolicyVersion: policy.version,
  });
  person.token = (await person.call<{ accessToken: string }>('POST', '/api/auth/login', { email: who.email, password: PASSWORD })).accessToken;
  return person;
}
