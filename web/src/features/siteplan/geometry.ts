// Coordinates on a site plan are relative to the image (0..1 from the left
// and from the top), so a new revision at another resolution keeps them.
// Pure functions, unit-tested; the screen only feeds them events.

export interface Point {
  x: number;
  y: number;
}

export type Shape = 'point' | 'polygon';

/** The API's limits for a polygon's corners (contract: 3..=64). */
export const MIN_CORNERS = 3;
export const MAX_CORNERS = 64;

/** Keyboard steps: an arrow moves by 1 % of the plan, Shift+arrow by 5 %. */
export const STEP = 0.01;
export const BIG_STEP = 0.05;

export const clamp01 = (v: number): number => (Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0);

/** Four decimals (a tenth of a pixel on a 1000 px plan): short JSON, no float noise like 0.30000000000000004. */
const round = (v: number): number => Math.round(v * 10_000) / 10_000;

export const clampPoint = (p: Point): Point => ({ x: round(clamp01(p.x)), y: round(clamp01(p.y)) });

/** The relative point of a click/tap at (clientX, clientY) on an element with the given box. */
export function pointFromClient(box: { left: number; top: number; width: number; height: number }, clientX: number, clientY: number): Point {
  if (box.width <= 0 || box.height <= 0) return { x: 0, y: 0 };
  return clampPoint({ x: (clientX - box.left) / box.width, y: (clientY - box.top) / box.height });
}

/** The move an arrow key asks for, or null for any other key. */
export function keyStep(key: string, shift: boolean): Point | null {
  const s = shift ? BIG_STEP : STEP;
  switch (key) {
    case 'ArrowLeft':
      return { x: -s, y: 0 };
    case 'ArrowRight':
      return { x: s, y: 0 };
    case 'ArrowUp':
      return { x: 0, y: -s };
    case 'ArrowDown':
      return { x: 0, y: s };
    default:
      return null;
  }
}

/**
 * Moves a shape by a delta, as one piece: the delta is cut so that every
 * corner stays on the plan (a polygon at the edge stops there instead of
 * being squashed).
 */
export function moveBy(points: Point[], d: Point): Point[] {
  if (points.length === 0) return points;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const dx = Math.min(Math.max(d.x, -Math.min(...xs)), 1 - Math.max(...xs));
  const dy = Math.min(Math.max(d.y, -Math.min(...ys)), 1 - Math.max(...ys));
  return points.map((p) => clampPoint({ x: p.x + dx, y: p.y + dy }));
}

/** Where a shape's handle (its marker) sits: the point itself, or the mean of a polygon's corners. */
export function anchor(points: Point[]): Point {
  if (points.length === 0) return { x: 0.5, y: 0.5 };
  const sx = points.reduce((s, p) => s + p.x, 0);
  const sy = points.reduce((s, p) => s + p.y, 0);
  return clampPoint({ x: sx / points.length, y: sy / points.length });
}

/**
 * Adds a click to a polygon being drawn: a click on the last corner again
 * (a double click, a shaky tap) adds nothing, and no more than the API's
 * maximum is kept.
 */
export function addCorner(corners: Point[], p: Point): Point[] {
  const c = clampPoint(p);
  const last = corners[corners.length - 1];
  if (last && Math.abs(last.x - c.x) < 0.005 && Math.abs(last.y - c.y) < 0.005) return corners;
  if (corners.length >= MAX_CORNERS) return corners;
  return [...corners, c];
}

/** The polygon of the clicks so far, or null while it has too few distinct corners to be one. */
export function polygonFromClicks(corners: Point[]): Point[] | null {
  const distinct = corners.filter((p, i) => corners.findIndex((q) => q.x === p.x && q.y === p.y) === i);
  if (distinct.length < MIN_CORNERS || distinct.length > MAX_CORNERS) return null;
  // Three corners on one line enclose nothing.
  if (Math.abs(area(distinct)) < 1e-6) return null;
  return distinct;
}

/** Signed area (shoelace), in plan units. */
export function area(points: Point[]): number {
  let a = 0;
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    const q = points[(i + 1) % points.length];
    a += p.x * q.y - q.x * p.y;
  }
  return a / 2;
}

/** Whole percent for people: "35 % von links". */
export const percent = (v: number): number => Math.round(clamp01(v) * 100);
