import { describe, expect, it } from 'vitest';
import { toCsv, utilization, type Row } from './csv';

const row: Row = {
  resourceId: 'r1',
  resourceName: 'Kran "Nord"; Ost',
  date: '2027-01-04',
  openMinutes: 600,
  bookedMinutes: 150,
  capacity: 1,
  bookings: 3,
  checkedIn: 2,
  onTimeShare: 0.5,
  meanDelayMinutes: 12.4,
  noShows: 1,
  turnedAway: 0,
};

describe('utilization report CSV', () => {
  it('quotes what needs quoting and writes shares as whole percent', () => {
    const csv = toCsv([row], ['Ressource', 'Datum'], ';');
    expect(csv).toBe('Ressource;Datum\r\n"Kran ""Nord""; Ost";2027-01-04;600;150;25;3;2;50;12;1;0\r\n');
  });
  it('has no utilization for a closed day', () => {
    expect(utilization({ ...row, openMinutes: 0 })).toBeNull();
    expect(utilization({ ...row, capacity: 2 })).toBe(0.125);
  });
});
