// Unit test (vitest) of the fake-camera file writer the pass spec uses.
import { describe, expect, it } from 'vitest';
import { rgbaToI420, y4m } from './y4m';

/** A 4x2 image: left half white, right half black. */
function halves(): Uint8Array {
  const px = new Uint8Array(4 * 2 * 4);
  for (let y = 0; y < 2; y++)
    for (let x = 0; x < 4; x++) {
      const v = x < 2 ? 255 : 0;
      px.set([v, v, v, 255], (y * 4 + x) * 4);
    }
  return px;
}

describe('y4m', () => {
  it('writes the header and one FRAME per frame', () => {
    const file = y4m(halves(), 4, 2, 3);
    const header = 'YUV4MPEG2 W4 H2 F25:1 Ip A1:1 C420jpeg\n';
    expect(file.subarray(0, header.length).toString('ascii')).toBe(header);
    const frameBytes = 'FRAME\n'.length + 4 * 2 + 2 * (2 * 1);
    expect(file.length).toBe(header.length + 3 * frameBytes);
    expect(file.subarray(header.length, header.length + 6).toString('ascii')).toBe('FRAME\n');
  });

  it('keeps white white and black black, with neutral chroma for grey', () => {
    const planes = rgbaToI420(halves(), 4, 2);
    expect([...planes.subarray(0, 8)]).toEqual([255, 255, 0, 0, 255, 255, 0, 0]);
    expect([...planes.subarray(8)]).toEqual([128, 128, 128, 128]);
  });

  it('gives colour its chroma', () => {
    const red = new Uint8Array(2 * 2 * 4);
    for (let i = 0; i < 4; i++) red.set([255, 0, 0, 255], i * 4);
    const planes = rgbaToI420(red, 2, 2);
    expect(planes[0]).toBe(76);
    expect(planes[4]).toBe(85);
    expect(planes[5]).toBe(255);
  });

  it('refuses odd dimensions', () => {
    expect(() => rgbaToI420(new Uint8Array(3 * 2 * 4), 3, 2)).toThrow(/even/);
  });
});
