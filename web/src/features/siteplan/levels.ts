import type { MessageKey, T } from '../../shared/i18n';
import type { LoadLevel, PlacedResource } from './contract';

/** A glyph per load level (a pie that fills up), so the level never depends on colour alone. */
export const GLYPH: Record<LoadLevel, string> = { closed: '⊘', free: '○', light: '◔', busy: '◕', full: '●' };

/** "3 h 30 min", "3 h", "45 min". */
export function duration(minutes: number, t: T): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return t('sitePlan.minutes', { m });
  return m === 0 ? t('sitePlan.hours', { h }) : t('sitePlan.hoursMinutes', { h, m });
}

/** "Voll, 10 h von 10 h gebucht"; a closed resource has no figures. */
export function loadText(r: PlacedResource, t: T): string {
  const level = t(`sitePlan.level.${r.load.level}` as MessageKey);
  if (r.load.level === 'closed') return level;
  return `${level}, ${t('sitePlan.bookedOf', { booked: duration(r.load.bookedMinutes, t), open: duration(r.load.openMinutes, t) })}`;
}
