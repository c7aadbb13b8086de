import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, toProblem } from '../../api/client';
import { useI18n } from '../../shared/i18n';
import { Loading } from '../../shared/ui';
import type { LoadLevel, PlanInfo } from './contract';
import { anchor, keyStep, moveBy, pointFromClient, type Point, type Shape } from './geometry';
import { GLYPH } from './levels';

export interface Marker {
  id: string;
  name: string;
  level: LoadLevel;
  shape: Shape;
  points: Point[];
  /** The marker's accessible name; starts with the visible name. */
  label: string;
  /** Read mode: where activating the marker leads (the resource's day). */
  href?: string;
}

/** Editing: markers are buttons that move by drag (mouse, touch, pen) and by arrow keys. */
export interface MoveHandlers {
  /** `settled`: a key step, or the end of a drag (worth announcing); not each pointer move. */
  onMove: (id: string, points: Point[], settled: boolean) => void;
  hintId: string;
}

/** Placing: clicks/taps on the plan, or the keyboard cursor, set a point or a polygon's corners. */
export interface PickHandlers {
  shape: Shape;
  corners: Point[];
  cursor: Point;
  cursorLabel: string;
  hintId: string;
  onCursor: (p: Point) => void;
  onPick: (p: Point) => void;
  onFinish: () => void;
  onCancel: () => void;
}

const pct = (v: number) => `${v * 100}%`;

/**
 * The plan image with its markers. The image needs the bearer token, so its
 * bytes are fetched and drawn on a canvas (the CSP allows no blob: images).
 * Points are relative to the image; the overlay has the image's aspect
 * ratio, so a point's percentages are its place on screen at any size.
 */
export function PlanSurface({
  plan,
  markers,
  move,
  pick,
  focus,
}: {
  plan: PlanInfo;
  markers: Marker[];
  move?: MoveHandlers;
  pick?: PickHandlers;
  /** Moves focus to a marker (after it was placed); `n` makes a repeat a new request. */
  focus?: { id: string; n: number };
}) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const surface = useRef<HTMLDivElement>(null);
  const cursor = useRef<HTMLButtonElement>(null);
  const drag = useRef<{ id: string; pointer: number; start: Point; points: Point[]; last: Point[] | null } | null>(null);
  const { projectId = '' } = useParams();
  const image = useQuery({
    queryKey: ['plan-image', plan.fileId, plan.uploadedAt, plan.width, plan.height],
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/projects/{projectId}/files/{fileId}/content', {
        params: { path: { projectId, fileId: plan.fileId } },
        parseAs: 'blob',
      });
      if (!response.ok || !data) throw toProblem(response, error);
      return createImageBitmap(data as Blob);
    },
    staleTime: Infinity,
  });

  useEffect(() => {
    const c = canvas.current;
    const bitmap = image.data;
    if (!c || !bitmap) return;
    // At most 2400 px wide: enough for a TV, and a phone keeps its memory.
    const scale = Math.min(1, 2400 / bitmap.width);
    c.width = Math.round(bitmap.width * scale);
    c.height = Math.round(bitmap.height * scale);
    c.getContext('2d')?.drawImage(bitmap, 0, 0, c.width, c.height);
  }, [image.data]);

  const markerRefs = useRef(new Map<string, HTMLElement>());
  useEffect(() => {
    if (focus) markerRefs.current.get(focus.id)?.focus();
  }, [focus]);

  const pickActive = !!pick;
  useEffect(() => {
    if (pickActive) cursor.current?.focus();
  }, [pickActive]);

  const here = (clientX: number, clientY: number): Point | null => {
    const box = surface.current?.getBoundingClientRect();
    return box ? pointFromClient(box, clientX, clientY) : null;
  };

  const markerKey = (m: Marker) => (e: KeyboardEvent) => {
    const d = keyStep(e.key, e.shiftKey);
    if (!d || !move) return;
    e.preventDefault();
    move.onMove(m.id, moveBy(m.points, d), true);
  };
  const markerDown = (m: Marker) => (e: PointerEvent<HTMLButtonElement>) => {
    const start = here(e.clientX, e.clientY);
    if (!start || !move) return;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { id: m.id, pointer: e.pointerId, start, points: m.points, last: null };
  };
  const markerMove = (e: PointerEvent<HTMLButtonElement>) => {
    const d = drag.current;
    if (!d || d.pointer !== e.pointerId || !move) return;
    const now = here(e.clientX, e.clientY);
    if (!now) return;
    d.last = moveBy(d.points, { x: now.x - d.start.x, y: now.y - d.start.y });
    move.onMove(d.id, d.last, false);
  };
  const markerUp = (e: PointerEvent<HTMLButtonElement>) => {
    const d = drag.current;
    if (d?.pointer !== e.pointerId) return;
    drag.current = null;
    if (d.last) move?.onMove(d.id, d.last, true);
  };

  // The plan's size from the API; the image's own until then (a plan stored before sizes were recorded).
  const w = plan.width || image.data?.width || 1000;
  const h = plan.height || image.data?.height || 750;
  const stroke = Math.max(w, h) / 400;
  const patternSize = Math.max(w, h) / 60;
  return (
    <div className="plan-scroll" role="region" aria-label={t('sitePlan.imageOf', { name: plan.name })}>
      <div
        ref={surface}
        className={`plan-surface${pick ? ' picking' : ''}`}
        style={{ aspectRatio: `${w} / ${h}` }}
        onClick={(e) => {
          if (!pick) return;
          const p = here(e.clientX, e.clientY);
          if (!p) return;
          pick.onCursor(p);
          pick.onPick(p);
          // Mouse and keyboard mix: the next corner can be set with the keys from here.
          cursor.current?.focus({ preventScroll: true });
        }}
      >
        <canvas ref={canvas} className="plan-image" role="img" aria-label={t('sitePlan.imageOf', { name: plan.name })} />
        {!image.data && !image.error && (
          <div className="plan-loading">
            <Loading />
          </div>
        )}
        {image.error && (
          <p className="problem plan-loading" role="alert">
            {t('sitePlan.imageFailed')}
          </p>
        )}
        <svg className="plan-shapes" viewBox={`0 0 ${w} ${h}`} aria-hidden="true" focusable="false">
          <defs>
            <pattern id="hatch-light" width={patternSize} height={patternSize} patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <line x1="0" y1="0" x2="0" y2={patternSize} className="hatch" strokeWidth={stroke} />
            </pattern>
            <pattern id="hatch-busy" width={patternSize / 2} height={patternSize / 2} patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <line x1="0" y1="0" x2="0" y2={patternSize / 2} className="hatch" strokeWidth={stroke} />
            </pattern>
            <pattern id="hatch-full" width={patternSize / 2} height={patternSize / 2} patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
              <line x1="0" y1="0" x2="0" y2={patternSize / 2} className="hatch" strokeWidth={stroke} />
              <line x1="0" y1="0" x2={patternSize / 2} y2="0" className="hatch" strokeWidth={stroke} />
            </pattern>
            <pattern id="hatch-closed" width={patternSize} height={patternSize} patternUnits="userSpaceOnUse">
              <line x1="0" y1={patternSize / 2} x2={patternSize} y2={patternSize / 2} className="hatch" strokeWidth={stroke} />
            </pattern>
          </defs>
          {markers
            .filter((m) => m.shape === 'polygon')
            .map((m) => (
              <g key={m.id} className={`area level-${m.level}`}>
                <polygon points={m.points.map((p) => `${p.x * w},${p.y * h}`).join(' ')} className="area-fill" />
                {m.level !== 'free' && <polygon points={m.points.map((p) => `${p.x * w},${p.y * h}`).join(' ')} fill={`url(#hatch-${m.level})`} />}
                <polygon points={m.points.map((p) => `${p.x * w},${p.y * h}`).join(' ')} className="area-edge" strokeWidth={stroke} />
              </g>
            ))}
          {pick && pick.corners.length > 0 && (
            <g className="drawing">
              {/* From three corners on, the area as it will close. */}
              {pick.corners.length >= 3 ? (
                <polygon points={pick.corners.map((p) => `${p.x * w},${p.y * h}`).join(' ')} strokeWidth={stroke} />
              ) : (
                <polyline points={pick.corners.map((p) => `${p.x * w},${p.y * h}`).join(' ')} strokeWidth={stroke} />
              )}
              {pick.corners.map((p, i) => (
                <circle key={i} cx={p.x * w} cy={p.y * h} r={stroke * 3} />
              ))}
            </g>
          )}
        </svg>
        {markers.map((m) => {
          const a = anchor(m.points);
          const content = (
            <>
              <span className={`marker-dot level-${m.level}${m.shape === 'polygon' ? ' area-handle' : ''}`} aria-hidden="true">
                {GLYPH[m.level]}
              </span>
              <span className="marker-name" aria-hidden="true">
                {m.name}
              </span>
            </>
          );
          const style = { left: pct(a.x), top: pct(a.y) };
          if (m.href && !move) {
            return (
              <Link key={m.id} to={m.href} className="marker" style={style} aria-label={m.label}>
                {content}
              </Link>
            );
          }
          return (
            <button
              key={m.id}
              ref={(el) => {
                if (el) markerRefs.current.set(m.id, el);
                else markerRefs.current.delete(m.id);
              }}
              type="button"
              className="marker movable"
              style={style}
              aria-label={m.label}
              aria-describedby={move?.hintId}
              onKeyDown={markerKey(m)}
              onPointerDown={markerDown(m)}
              onPointerMove={markerMove}
              onPointerUp={markerUp}
              onPointerCancel={markerUp}
            >
              {content}
            </button>
          );
        })}
        {pick && (
          <button
            ref={cursor}
            type="button"
            className="pick-cursor"
            style={{ left: pct(pick.cursor.x), top: pct(pick.cursor.y) }}
            aria-label={pick.cursorLabel}
            aria-describedby={pick.hintId}
            onKeyDown={(e) => {
              const d = keyStep(e.key, e.shiftKey);
              if (d) {
                e.preventDefault();
                pick.onCursor(moveBy([pick.cursor], d)[0]);
              } else if (e.key === 'Enter' && pick.shape === 'polygon') {
                e.preventDefault();
                pick.onFinish();
              } else if (e.key === 'Escape') {
                e.preventDefault();
                pick.onCancel();
              }
            }}
            onClick={(e) => {
              // Keyboard activation (Enter, Space) sets at the cursor; a
              // pointer's click goes through to the plan below (CSS).
              e.stopPropagation();
              pick.onPick(pick.cursor);
            }}
          >
            <span aria-hidden="true">+</span>
          </button>
        )}
      </div>
    </div>
  );
}
