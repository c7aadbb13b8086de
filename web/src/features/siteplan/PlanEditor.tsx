import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useI18n, type MessageKey } from '../../shared/i18n';
import { ProblemMessage } from '../../shared/ui';
import { savePlacement, type Placement, type PlanInfo, type SitePlanDay } from './contract';
import { addCorner, anchor, percent, polygonFromClicks, type Point, type Shape } from './geometry';
import { PlanSurface, type Marker } from './PlanSurface';

interface Picking {
  resourceId: string;
  shape: Shape;
  corners: Point[];
}

/**
 * Places resources on one plan: a point by a click/tap or the keyboard
 * cursor, a polygon by successive clicks finished with a button or Enter.
 * Placed markers move by drag and by arrow keys. Changes stay local until
 * saved (one update-resource per changed resource).
 */
export function PlanEditor({ projectId, plan, day }: { projectId: string; plan: PlanInfo; day: SitePlanDay }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const moveHint = useId();
  const pickHint = useId();
  const [draft, setDraft] = useState<Record<string, Placement | null>>(() => Object.fromEntries(day.resources.map((r) => [r.resourceId, r.placement ?? null])));
  const [dirty, setDirty] = useState<string[]>([]);
  const [picking, setPicking] = useState<Picking | null>(null);
  const [cursor, setCursor] = useState<Point>({ x: 0.5, y: 0.5 });
  const [announce, setAnnounce] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);
  const [focus, setFocus] = useState<{ id: string; n: number } | undefined>();
  const focusMarker = (id: string) => setFocus((f) => ({ id, n: (f?.n ?? 0) + 1 }));

  const nameOf = (id: string) => day.resources.find((r) => r.resourceId === id)?.name ?? '';
  const at = (p: Point) => t('sitePlan.position', { x: percent(p.x), y: percent(p.y) });
  const change = (id: string, placement: Placement | null) => {
    setDraft((d) => ({ ...d, [id]: placement }));
    setDirty((d) => (d.includes(id) ? d : [...d, id]));
  };

  /** A marker's name and its announcements: "Kran 1: Fläche, Mitte bei 72 % von links, 37 % von oben". */
  const describe = (name: string, p: Placement) =>
    `${name}: ${p.shape === 'point' ? at(p.points[0]) : t('sitePlan.areaAt', { position: at(anchor(p.points)) })}`;

  const markers: Marker[] = day.resources.flatMap((r) => {
    const p = draft[r.resourceId];
    if (!p || p.planId !== plan.fileId) return [];
    return [{ id: r.resourceId, name: r.name, level: r.load.level, shape: p.shape, points: p.points, label: describe(r.name, p) }];
  });

  const pick = (p: Point) => {
    if (!picking) return;
    if (picking.shape === 'point') {
      change(picking.resourceId, { planId: plan.fileId, shape: 'point', points: [p] });
      setAnnounce(t('sitePlan.placed', { name: nameOf(picking.resourceId), position: at(p) }));
      setPicking(null);
      focusMarker(picking.resourceId);
      return;
    }
    const corners = addCorner(picking.corners, p);
    setPicking({ ...picking, corners });
    setAnnounce(t('sitePlan.cornerSet', { n: corners.length, position: at(p) }));
  };
  const finish = () => {
    if (!picking) return;
    const polygon = polygonFromClicks(picking.corners);
    if (!polygon) {
      setAnnounce(t('sitePlan.needCorners'));
      return;
    }
    change(picking.resourceId, { planId: plan.fileId, shape: 'polygon', points: polygon });
    setAnnounce(t('sitePlan.areaPlaced', { name: nameOf(picking.resourceId), n: polygon.length }));
    setPicking(null);
    focusMarker(picking.resourceId);
  };
  /** Placing starts where the resource is on this plan, else in the middle. */
  const start = (resourceId: string, shape: Shape) => {
    const p = draft[resourceId];
    setCursor(p && p.planId === plan.fileId ? anchor(p.points) : { x: 0.5, y: 0.5 });
    setPicking({ resourceId, shape, corners: [] });
    setAnnounce('');
  };
  const cancel = () => {
    setPicking(null);
    setAnnounce(t('sitePlan.pickCancelled'));
  };

  const save = async () => {
    setError(null);
    setSaving(true);
    try {
      for (const id of dirty) {
        await savePlacement(projectId, id, draft[id] ?? null);
        setDirty((d) => d.filter((x) => x !== id));
      }
      await qc.invalidateQueries({ queryKey: ['site-plan', projectId] });
      await qc.invalidateQueries({ queryKey: ['resources', projectId] });
      setAnnounce(t('sitePlan.saved'));
    } catch (err) {
      setError(err);
    } finally {
      setSaving(false);
    }
  };

  const status = (id: string): string => {
    const p = draft[id];
    if (!p) return t('sitePlan.notPlaced');
    if (p.planId !== plan.fileId) return t('sitePlan.onOtherPlan');
    return p.shape === 'point' ? t('sitePlan.pointAt', { position: at(p.points[0]) }) : t('sitePlan.areaWith', { n: p.points.length });
  };
  const polygonReady = picking?.shape === 'polygon' && polygonFromClicks(picking.corners) !== null;

  return (
    <section className="plan-editor" aria-labelledby="editor-h">
      <h2 id="editor-h">{t('sitePlan.editorTitle', { name: plan.name })}</h2>
      <p id={moveHint} className="hint">
        {t('sitePlan.moveHint')}
      </p>
      {picking && (
        <div className="notice picking-panel" role="group" aria-labelledby="picking-h">
          <h3 id="picking-h">
            {t(picking.shape === 'point' ? 'sitePlan.pickingPoint' : 'sitePlan.pickingArea', { name: nameOf(picking.resourceId) })}
          </h3>
          <p id={pickHint}>{t(picking.shape === 'point' ? 'sitePlan.pickPointHint' : 'sitePlan.pickAreaHint')}</p>
          {picking.shape === 'polygon' && <p>{t('sitePlan.corners', { n: picking.corners.length })}</p>}
          <div className="actions">
            {picking.shape === 'polygon' && (
              <>
                <button type="button" disabled={!polygonReady} onClick={finish}>
                  {t('sitePlan.finishArea')}
                </button>
                <button
                  type="button"
                  className="secondary"
                  disabled={picking.corners.length === 0}
                  onClick={() => setPicking({ ...picking, corners: picking.corners.slice(0, -1) })}
                >
                  {t('sitePlan.undoCorner')}
                </button>
              </>
            )}
            <button type="button" className="secondary" onClick={cancel}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      )}
      <PlanSurface
        plan={plan}
        markers={markers}
        focus={focus}
        move={{
          hintId: moveHint,
          onMove: (id, points, settled) => {
            const p = draft[id];
            if (!p) return;
            change(id, { ...p, points });
            if (settled) setAnnounce(describe(nameOf(id), { ...p, points }));
          },
        }}
        pick={
          picking
            ? {
                shape: picking.shape,
                corners: picking.corners,
                cursor,
                cursorLabel: t('sitePlan.cursor', { position: at(cursor) }),
                hintId: pickHint,
                onCursor: setCursor,
                onPick: pick,
                onFinish: finish,
                onCancel: cancel,
              }
            : undefined
        }
      />
      <p className="sr-only" role="status" aria-live="polite">
        {announce}
      </p>
      <h3 id="placements-h">{t('sitePlan.placements')}</h3>
      <ul className="placement-list" aria-labelledby="placements-h">
        {day.resources.map((r) => (
          <li key={r.resourceId} className="card">
            <p className="placement-name">
              <strong>{r.name}</strong> <span className="muted">({t(`kind.${r.kind}` as MessageKey)})</span>
            </p>
            <p>
              {status(r.resourceId)}
              {dirty.includes(r.resourceId) && <span className="unsaved"> · {t('sitePlan.unsaved')}</span>}
            </p>
            <div className="actions">
              <button
                type="button"
                className="secondary"
                aria-label={t('sitePlan.placePointFor', { name: r.name })}
                onClick={() => start(r.resourceId, 'point')}
              >
                {t('sitePlan.placePoint')}
              </button>
              <button
                type="button"
                className="secondary"
                aria-label={t('sitePlan.placeAreaFor', { name: r.name })}
                onClick={() => start(r.resourceId, 'polygon')}
              >
                {t('sitePlan.placeArea')}
              </button>
              {draft[r.resourceId] && (
                <button
                  type="button"
                  className="secondary"
                  aria-label={t('sitePlan.removeFor', { name: r.name })}
                  onClick={() => {
                    change(r.resourceId, null);
                    setAnnounce(t('sitePlan.removed', { name: r.name }));
                  }}
                >
                  {t('sitePlan.remove')}
                </button>
              )}
            </div>
          </li>
        ))}
      </ul>
      <ProblemMessage error={error} />
      <div className="actions save-row">
        <button type="button" disabled={saving || dirty.length === 0} onClick={() => void save()}>
          {dirty.length > 0 ? t('sitePlan.saveN', { n: dirty.length }) : t('sitePlan.save')}
        </button>
      </div>
    </section>
  );
}
