import { describe, expect, it } from 'vitest';
import { translate, type MessageKey } from '../../shared/i18n';
import { duration, loadText } from './levels';
import type { PlacedResource } from './contract';

const de = (key: MessageKey, vars?: Record<string, string | number>) => translate('de', key, vars);
const en = (key: MessageKey, vars?: Record<string, string | number>) => translate('en', key, vars);

const crane = (level: PlacedResource['load']['level'], bookedMinutes: number, openMinutes: number): PlacedResource => ({
  resourceId: 'r1',
  name: 'Turmdrehkran 1',
  kind: 'crane',
  accessInstructions: null,
  placement: null,
  load: { bookedMinutes, openMinutes, level },
});

describe('load texts', () => {
  it('tells durations in hours and minutes', () => {
    expect(duration(0, de)).toBe('0 min');
    expect(duration(45, de)).toBe('45 min');
    expect(duration(120, de)).toBe('2 h');
    expect(duration(210, en)).toBe('3 h 30 min');
  });

  it('names the level in words, with the figures unless closed', () => {
    expect(loadText(crane('full', 720, 720), de)).toBe('Voll, 12 h von 12 h gebucht');
    expect(loadText(crane('light', 90, 600), en)).toBe('Lightly booked, 1 h 30 min of 10 h booked');
    expect(loadText(crane('closed', 0, 0), de)).toBe('Geschlossen');
  });
});
