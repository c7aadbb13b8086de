// The site plan's wire types and calls (session 6 contract, branch `site`).
import { api, getConditional, unwrap, type Resource } from '../../api/client';
import type { Point, Shape } from './geometry';

export type LoadLevel = 'closed' | 'free' | 'light' | 'busy' | 'full';
export const LEVELS: LoadLevel[] = ['closed', 'free', 'light', 'busy', 'full'];

export interface Placement {
  planId: string;
  shape: Shape;
  points: Point[];
}

export interface PlanInfo {
  fileId: string;
  name: string;
  width: number;
  height: number;
  uploadedAt: string;
}

export interface PlacedResource {
  resourceId: string;
  name: string;
  kind: Resource['kind'];
  accessInstructions: string | null;
  placement: Placement | null;
  load: { bookedMinutes: number; openMinutes: number; level: LoadLevel };
}

export interface SitePlanDay {
  date: string;
  plans: PlanInfo[];
  resources: PlacedResource[];
}

export function getSitePlan(projectId: string, date: string): Promise<SitePlanDay> {
  return getConditional<SitePlanDay>(`/api/projects/${encodeURIComponent(projectId)}/site-plan?date=${date}`);
}

/** Saves one resource's place; `null` takes it off the plan. Only the placement is sent (absent fields keep their value). */
export async function savePlacement(projectId: string, resourceId: string, placement: Placement | null): Promise<Resource> {
  return unwrap(
    api.PATCH('/api/projects/{projectId}/resources/{resourceId}', {
      params: { path: { projectId, resourceId } },
      body: { placement },
    }),
  );
}

export function getBriefing(projectId: string): Promise<{ enabled: boolean }> {
  return unwrap(api.GET('/api/projects/{projectId}/me/briefing', { params: { path: { projectId } } }));
}

export function putBriefing(projectId: string, enabled: boolean): Promise<{ enabled: boolean }> {
  return unwrap(api.PUT('/api/projects/{projectId}/me/briefing', { params: { path: { projectId } }, body: { enabled } }));
}
