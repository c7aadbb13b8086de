import { describe, expect, it } from 'vitest';
import { highlight, queryWords } from './highlight';

describe('highlight', () => {
  it('marks every match of the words, case-insensitively, as text', () => {
    const parts = highlight('Lieferschein: Betonstahl BSt 500, beton C25/30 BETON', queryWords('Beton'));
    expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(['beton', 'BETON']);
    expect(parts.map((p) => p.text).join('')).toBe('Lieferschein: Betonstahl BSt 500, beton C25/30 BETON');
  });

  it('keeps markup from the server as text', () => {
    const parts = highlight('<img src=x onerror=alert(1)> Kran', ['kran']);
    expect(parts.map((p) => p.text).join('')).toContain('<img');
    expect(parts.find((p) => p.hit)?.text).toBe('Kran');
  });

  it('shows a window around a late first match', () => {
    const text = `${'Wort '.repeat(100)}Schalungsplan Ende`;
    const parts = highlight(text, ['schalungsplan'], 60);
    expect(parts[0].text).toBe('… ');
    expect(parts.some((p) => p.hit && p.text === 'Schalungsplan')).toBe(true);
  });

  it('matches whole words only, as the index does', () => {
    expect(highlight('Stahlbeton Betonstahl', ['beton']).some((p) => p.hit)).toBe(false);
  });
});
