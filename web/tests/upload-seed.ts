// Helpers for the set-up and files specs: an upload through the API (as
// curl would), and wall-clock times at the site as instants.
import type { Seed } from './seed';

export async function uploadText(seed: Seed, project: string, name: string, text: string, restricted = false): Promise<string> {
  const form = new FormData();
  form.append('category', 'document');
  form.append('restricted', String(restricted));
  form.append('file', new Blob([text], { type: 'text/plain' }), name);
  const r = await fetch(`${seed.base}/api/projects/${project}/files`, { method: 'POST', headers: { authorization: `Bearer ${seed.token}` }, body: form });
  if (!r.ok) throw new Error(`upload ${name}: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { id: string }).id;
}

/** The instant (ms) of `hm` (HH:MM) on `date` (YYYY-MM-DD) in `tz`. */
export function zonedInstant(date: string, hm: string, tz: string): number {
  const guess = Date.parse(`${date}T${hm}:00Z`);
  const offset = (at: number) => {
    const name = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
    return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  };
  return guess - offset(guess - offset(guess) * 60_000) * 60_000;
}

/** The first date from `daysAhead` on (YYYY-MM-DD, in `tz`) that falls on a Monday to Friday. */
export function nextWorkday(daysAhead: number, tz = 'Europe/Vienna'): string {
  for (let d = daysAhead; ; d++) {
    const at = new Date(Date.now() + d * 86_400_000);
    const wd = new Intl.DateTimeFormat('en-US', { timeZone: tz, weekday: 'short' }).format(at);
    if (!['Sat', 'Sun'].includes(wd)) return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
  }
}
