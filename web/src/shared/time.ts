// Every date and time on screen is in the project's time zone, never the
// browser's: instants come from the API as RFC 3339, wall-clock times are
// turned into instants with @internationalized/date (DST-aware), and text
// is formatted with Intl.DateTimeFormat and an explicit timeZone.
import { CalendarDate, fromAbsolute, parseDate, toZoned, type ZonedDateTime } from '@internationalized/date';
import type { Language } from './i18n';

export const STEP_MINUTES = 15;
const MINUTE = 60_000;

const locale = (lang: Language) => (lang === 'de' ? 'de-AT' : 'en-GB');

/** Today's date (YYYY-MM-DD) at the site. */
export function todayIn(tz: string, now = Date.now()): string {
  const z = fromAbsolute(now, tz);
  return new CalendarDate(z.year, z.month, z.day).toString();
}

/** The instant of a wall-clock time on a date at the site; minutes past midnight may be 1440. */
export function instantAt(date: string, minutes: number, tz: string): number {
  const midnight = toZoned(parseDate(date), tz);
  // Add wall-clock hours/minutes in the zone so that a DST change before the
  // time is honoured (02:00–03:00 does not exist on a spring-forward day).
  if (minutes >= 1440) return toZoned(parseDate(date).add({ days: 1 }), tz).toDate().getTime();
  const z: ZonedDateTime = midnight.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
  return z.toDate().getTime();
}

/** Start and end instants of a site day. */
export function dayBounds(date: string, tz: string): [number, number] {
  return [instantAt(date, 0, tz), instantAt(date, 1440, tz)];
}

export function addDays(date: string, days: number): string {
  return parseDate(date).add({ days }).toString();
}

/** Monday of the week of a date. */
export function weekStart(date: string): string {
  const d = parseDate(date);
  const dow = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay(); // 0 = Sunday
  return d.subtract({ days: (dow + 6) % 7 }).toString();
}

/** Weekday name as the API spells it (`monday` …) of a date. */
export function weekdayName(date: string): string {
  const d = parseDate(date);
  const dow = new Date(Date.UTC(d.year, d.month - 1, d.day)).getUTCDay();
  return ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][dow];
}

/** Minutes past local midnight of an instant at the site. */
export function localMinutes(instant: number, tz: string): number {
  const z = fromAbsolute(instant, tz);
  return z.hour * 60 + z.minute;
}

export function localDate(instant: number, tz: string): string {
  const z = fromAbsolute(instant, tz);
  return new CalendarDate(z.year, z.month, z.day).toString();
}

/** "HH:MM" → minutes past midnight. */
export function parseHm(s: string): number {
  const [h, m] = s.split(':').map(Number);
  return h * 60 + m;
}

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(lang: Language, tz: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${tz}|${JSON.stringify(opts)}`;
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale(lang), { ...opts, timeZone: tz });
    cache.set(key, f);
  }
  return f;
}

export function formatTime(instant: number | string, lang: Language, tz: string): string {
  return fmt(lang, tz, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(instant));
}

export function formatDate(instant: number | string, lang: Language, tz: string): string {
  return fmt(lang, tz, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(new Date(instant));
}

export function formatDateTime(instant: number | string, lang: Language, tz: string): string {
  return fmt(lang, tz, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(instant),
  );
}

/** A site date (YYYY-MM-DD) as text, e.g. "So., 28. März 2027". */
export function formatSiteDate(date: string, lang: Language, tz: string): string {
  return fmt(lang, tz, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(instantAt(date, 720, tz)));
}

export function formatNumber(n: number, lang: Language): string {
  return new Intl.NumberFormat(locale(lang)).format(n);
}

/** ISO 8601 duration for the API, e.g. PT45M. */
export function isoMinutes(minutes: number): string {
  return `PT${minutes}M`;
}

export const minutesBetween = (a: number, b: number) => Math.round((b - a) / MINUTE);
export { MINUTE };
