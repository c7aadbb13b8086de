import { describe, expect, it } from 'vitest';
import { withFile, type FilePage, type FileView } from './upload';

const file = (id: string): FileView => ({
  id,
  name: `${id}.png`,
  category: 'photo',
  contentType: 'image/png',
  indexStatus: 'pending',
  restricted: false,
  sha256: '0'.repeat(64),
  size: 10,
  uploadedAt: '2026-12-02T10:00:00Z',
  uploadedBy: 'u1',
});
const list = (...pages: FileView[][]) => ({ pages: pages.map((items): FilePage => ({ items, next: null })), pageParams: pages.map(() => undefined) });

describe('withFile', () => {
  it('puts a stored file on top of the first page', () => {
    const next = withFile(list([file('a')], [file('b')]), file('c'));
    expect(next?.pages.map((p) => p.items.map((f) => f.id))).toEqual([['c', 'a'], ['b']]);
  });

  it('adds a file the refetch already brought only once', () => {
    const before = list([file('a')], [file('c')]);
    expect(withFile(before, file('c'))).toBe(before);
  });

  it('leaves a list that was never loaded alone', () => {
    expect(withFile(undefined, file('c'))).toBeUndefined();
  });
});
