/** The site time zones offered when a project is created or changed. */
export const ZONES = ['Europe/Vienna', 'Europe/Berlin', 'Europe/Zurich', 'Europe/London', 'America/New_York'];
