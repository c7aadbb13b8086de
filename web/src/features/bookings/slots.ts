import { api, unwrap } from '../../api/client';
import { dayBounds, isoMinutes, MINUTE, STEP_MINUTES } from '../../shared/time';

/** Free start times (instants) on 15-minute steps for a booking of `minutes` on all resources, one site day. */
export async function freeStarts(projectId: string, resourceIds: string[], minutes: number, date: string, tz: string): Promise<number[]> {
  const [from, to] = dayBounds(date, tz);
  const res = await unwrap(
    api.GET('/api/projects/{projectId}/availability', {
      params: {
        path: { projectId },
        query: { resourceIds: resourceIds.join(','), from: new Date(from).toISOString(), to: new Date(to).toISOString(), duration: isoMinutes(minutes) },
      },
    }),
  );
  const step = STEP_MINUTES * MINUTE;
  const starts: number[] = [];
  const now = Date.now();
  for (const w of res.windows) {
    const ws = Date.parse(w.start);
    const we = Date.parse(w.end);
    // Steps are aligned to the quarter hour of the instant; the project's
    // zones all have whole-quarter-hour offsets, so that is the site's too.
    for (let s = Math.ceil(ws / step) * step; s + minutes * MINUTE <= we; s += step) {
      if (s >= now && s >= from && s < to) starts.push(s);
    }
  }
  return [...new Set(starts)].sort((a, b) => a - b);
}

/** The `n` free starts nearest to a wished start. */
export function nearest(starts: number[], wished: number, n = 3): number[] {
  return [...starts].sort((a, b) => Math.abs(a - wished) - Math.abs(b - wished)).slice(0, n).sort((a, b) => a - b);
}
