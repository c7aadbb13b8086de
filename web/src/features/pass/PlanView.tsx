import type { Placement } from '../../shared/passes';

export interface PlanMark {
  id: string;
  label: string;
  placement: Placement;
}

/** Where a mark's label goes: the point, or the middle of the polygon's corners. */
export function labelAnchor(p: Placement): { x: number; y: number } {
  const n = p.points.length || 1;
  return {
    x: p.points.reduce((s, q) => s + q.x, 0) / n,
    y: p.points.reduce((s, q) => s + q.y, 0) / n,
  };
}

/**
 * A site plan image with resources marked on it: points as pins, polygons
 * as outlines, each with its name. Placements are relative (0..1), so the
 * marks sit right at any size of the image. The marks repeat what `alt` and
 * the surrounding list say, so they are hidden from screen readers. Written
 * for the pass page; plain enough for the site plan screen to reuse.
 */
export function PlanView({
  src,
  width,
  height,
  alt,
  marks,
}: {
  src: string;
  width?: number | null;
  height?: number | null;
  alt: string;
  marks: PlanMark[];
}) {
  // Known dimensions reserve the space before the image arrives (no jump on a slow phone).
  const sized = width && height ? { width, height } : {};
  return (
    <div className="plan-view" style={width && height ? { aspectRatio: `${width} / ${height}` } : undefined}>
      <img src={src} alt={alt} {...sized} />
      <svg className="plan-shapes" viewBox="0 0 1 1" preserveAspectRatio="none" aria-hidden="true" focusable="false">
        {marks
          .filter((m) => m.placement.shape === 'polygon')
          .map((m) => (
            <polygon key={m.id} points={m.placement.points.map((p) => `${p.x},${p.y}`).join(' ')} vectorEffect="non-scaling-stroke" />
          ))}
      </svg>
      <ul className="plan-marks" aria-hidden="true">
        {marks.map((m) => {
          const a = labelAnchor(m.placement);
          // Labels near an edge grow inwards, so none is cut off.
          const align = a.x < 0.2 ? 'start' : a.x > 0.8 ? 'end' : 'middle';
          return (
            <li key={m.id} className={`plan-mark ${m.placement.shape} align-${align}`} style={{ left: `${a.x * 100}%`, top: `${a.y * 100}%` }}>
              {m.placement.shape === 'point' && <span className="plan-pin" />}
              <span className="plan-label">{m.label}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
