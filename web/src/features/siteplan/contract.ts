// The site plan's wire types (generated from the API) and its calls.
import { api, getConditional, unwrap, type Resource, type Schemas } from '../../api/client';

export type LoadLevel = Schemas['LoadLevel'];
export const LEVELS: LoadLevel[] = ['closed', 'free', 'light', 'busy', 'full'];
export type Placement = Schemas['Placement'];
export type PlanInfo = Schemas['PlanView'];
export type PlacedResource = Schemas['SitePlanResourceView'];
export type SitePlanDay = Schemas['SitePlanView'];

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
