// The per-project briefing opt-in (P6): tomorrow's deliveries by mail.
import { api, unwrap } from '../../api/client';

export function getBriefing(projectId: string): Promise<{ enabled: boolean }> {
  return unwrap(api.GET('/api/projects/{projectId}/me/briefing', { params: { path: { projectId } } }));
}

export function putBriefing(projectId: string, enabled: boolean): Promise<{ enabled: boolean }> {
  return unwrap(api.PUT('/api/projects/{projectId}/me/briefing', { params: { path: { projectId } }, body: { enabled } }));
}
