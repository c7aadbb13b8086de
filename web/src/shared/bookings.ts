import { getConditional, type Booking, type Resource } from '../api/client';

interface Page {
  items: Booking[];
  next?: string | null;
}

/**
 * Every booking of a range, all pages. Each page is fetched with
 * If-None-Match, so a poll that finds nothing new costs 304s only.
 */
export async function listBookings(projectId: string, q: { from?: string; to?: string; status?: string }): Promise<Booking[]> {
  const out: Booking[] = [];
  let next: string | null | undefined;
  do {
    const params = new URLSearchParams({ limit: '200' });
    if (q.from) params.set('from', q.from);
    if (q.to) params.set('to', q.to);
    if (q.status) params.set('status', q.status);
    if (next) params.set('next', next);
    const page = await getConditional<Page>(`/api/projects/${encodeURIComponent(projectId)}/bookings?${params}`);
    out.push(...page.items);
    next = page.next;
  } while (next);
  return out;
}

export function resourceNames(b: Booking, resources: Resource[]): string {
  return b.resourceIds.map((id) => resources.find((r) => r.id === id)?.name ?? '?').join(' + ');
}

/** Bookings that still hold their slot. */
export const ACTIVE = new Set(['requested', 'approved', 'checkedIn']);
