import { describe, expect, it } from 'vitest';
import { dayBounds, formatTime, instantAt, localMinutes, weekStart, weekdayName } from './time';

describe('project time zone helpers', () => {
  it('the spring-forward day in Vienna has 23 hours', () => {
    const [start, end] = dayBounds('2027-03-28', 'Europe/Vienna');
    expect((end - start) / 3_600_000).toBe(23);
    expect(new Date(start).toISOString()).toBe('2027-03-27T23:00:00.000Z');
  });
  it('08:00 in Vienna after the switch is 06:00 UTC and formats as 08:00 whatever the browser zone', () => {
    const t = instantAt('2027-03-28', 8 * 60, 'Europe/Vienna');
    expect(new Date(t).toISOString()).toBe('2027-03-28T06:00:00.000Z');
    expect(formatTime(t, 'de', 'Europe/Vienna')).toBe('08:00');
    expect(localMinutes(t, 'Europe/Vienna')).toBe(480);
  });
  it('weeks start on Monday', () => {
    expect(weekStart('2027-03-28')).toBe('2027-03-22');
    expect(weekdayName('2027-03-28')).toBe('sunday');
  });
});
