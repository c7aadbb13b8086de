import { describe, expect, it } from 'vitest';
import { addCorner, anchor, clamp01, clampPoint, keyStep, moveBy, percent, pointFromClient, polygonFromClicks } from './geometry';

describe('site plan coordinates', () => {
  it('clamps to 0..1, and NaN to 0', () => {
    expect(clamp01(-0.2)).toBe(0);
    expect(clamp01(1.7)).toBe(1);
    expect(clamp01(0.25)).toBe(0.25);
    expect(clamp01(Number.NaN)).toBe(0);
    expect(clampPoint({ x: 1.2, y: -3 })).toEqual({ x: 1, y: 0 });
  });

  it('turns a click into a relative point, clamped at the edges', () => {
    const box = { left: 100, top: 50, width: 400, height: 200 };
    expect(pointFromClient(box, 200, 100)).toEqual({ x: 0.25, y: 0.25 });
    expect(pointFromClient(box, 50, 400)).toEqual({ x: 0, y: 1 });
    expect(pointFromClient({ ...box, width: 0 }, 200, 100)).toEqual({ x: 0, y: 0 });
  });

  it('steps 1 % per arrow and 5 % with Shift, other keys none', () => {
    expect(keyStep('ArrowRight', false)).toEqual({ x: 0.01, y: 0 });
    expect(keyStep('ArrowLeft', true)).toEqual({ x: -0.05, y: 0 });
    expect(keyStep('ArrowUp', false)).toEqual({ x: 0, y: -0.01 });
    expect(keyStep('ArrowDown', true)).toEqual({ x: 0, y: 0.05 });
    expect(keyStep('Enter', false)).toBeNull();
  });

  it('moves a point by steps without float noise and stops at the edge', () => {
    let p = [{ x: 0.2, y: 0.1 }];
    p = moveBy(p, { x: 0.01, y: 0 });
    p = moveBy(p, { x: 0.01, y: 0 });
    expect(p).toEqual([{ x: 0.22, y: 0.1 }]);
    expect(moveBy([{ x: 0.98, y: 0.02 }], { x: 0.05, y: -0.05 })).toEqual([{ x: 1, y: 0 }]);
  });

  it('moves a polygon as one piece: its shape is kept at the edge', () => {
    const square = [
      { x: 0.9, y: 0.1 },
      { x: 0.97, y: 0.1 },
      { x: 0.97, y: 0.2 },
      { x: 0.9, y: 0.2 },
    ];
    const moved = moveBy(square, { x: 0.05, y: 0 });
    expect(moved.map((p) => p.x)).toEqual([0.93, 1, 1, 0.93]);
    expect(moved.map((p) => p.y)).toEqual([0.1, 0.1, 0.2, 0.2]);
  });

  it('builds a polygon from clicks: at least three distinct corners that enclose something', () => {
    let c = addCorner([], { x: 0.1, y: 0.1 });
    c = addCorner(c, { x: 0.1, y: 0.1 }); // a double click adds nothing
    c = addCorner(c, { x: 0.5, y: 0.1 });
    expect(polygonFromClicks(c)).toBeNull();
    expect(polygonFromClicks([...c, { x: 0.9, y: 0.1 }])).toBeNull(); // on one line
    c = addCorner(c, { x: 0.5, y: 0.6 });
    expect(polygonFromClicks(c)).toEqual([
      { x: 0.1, y: 0.1 },
      { x: 0.5, y: 0.1 },
      { x: 0.5, y: 0.6 },
    ]);
  });

  it('keeps at most 64 corners', () => {
    let c: { x: number; y: number }[] = [];
    for (let i = 0; i < 70; i++) c = addCorner(c, { x: i / 100, y: (i % 2) / 10 });
    expect(c).toHaveLength(64);
  });

  it('anchors a polygon at the mean of its corners, a point at itself', () => {
    expect(anchor([{ x: 0.3, y: 0.4 }])).toEqual({ x: 0.3, y: 0.4 });
    expect(anchor([{ x: 0, y: 0 }, { x: 1, y: 0 }, { x: 1, y: 1 }, { x: 0, y: 1 }])).toEqual({ x: 0.5, y: 0.5 });
    expect(percent(0.346)).toBe(35);
  });
});
