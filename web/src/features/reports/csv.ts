import type { Schemas } from '../../api/client';

export type Row = Schemas['DayUtilization'];

/** Booked minutes against what the resource could take (open minutes × capacity); null when closed. */
export function utilization(r: Row): number | null {
  const possible = r.openMinutes * Math.max(1, r.capacity);
  return possible > 0 ? r.bookedMinutes / possible : null;
}

const percent = (share: number | null | undefined) => (share == null ? '' : String(Math.round(share * 100)));

function cell(v: string): string {
  return /[",;\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * The report as CSV: one line per resource and day, the header in the
 * person's language. German spreadsheets expect `;` between fields, English
 * ones `,`; numbers are plain (minutes, counts, percent as whole numbers).
 */
export function toCsv(rows: Row[], header: string[], separator: ';' | ','): string {
  const lines = [header.map(cell).join(separator)];
  for (const r of rows) {
    const u = utilization(r);
    lines.push(
      [
        r.resourceName,
        r.date,
        String(r.openMinutes),
        String(r.bookedMinutes),
        percent(u),
        String(r.bookings),
        String(r.checkedIn),
        percent(r.onTimeShare),
        r.meanDelayMinutes == null ? '' : String(Math.round(r.meanDelayMinutes)),
        String(r.noShows),
        String(r.turnedAway),
      ]
        .map(cell)
        .join(separator),
    );
  }
  return lines.join('\r\n') + '\r\n';
}

/** A site date (YYYY-MM-DD) short, for lines and cells: "Do., 26.11." / "Thu 26/11". */
export function shortDate(date: string, lang: 'de' | 'en'): string {
  // The date is a calendar date already; UTC noon keeps it the same day.
  return new Intl.DateTimeFormat(lang === 'de' ? 'de-AT' : 'en-GB', { weekday: 'short', day: '2-digit', month: '2-digit', timeZone: 'UTC' }).format(
    new Date(`${date}T12:00:00Z`),
  );
}
