// The pass API (issue 18). Public calls go out without any token: the pass
// page is for people without an account.
import { api, toProblem, unwrap, type Booking, type Schemas } from '../api/client';

export type PassView = Schemas['PassView'];
export type Placement = Schemas['Placement'];
export type BookingPassView = Schemas['BookingPassView'];

/** Why a pass no longer works (410). */
export type DeadReason = 'declined' | 'cancelled' | 'turned-away' | 'expired';

export type PassResult = { state: 'ok'; pass: PassView } | { state: 'unknown' } | { state: 'dead'; reason: DeadReason | null };

/** A problem's `reason`, wherever the problem carries it. */
export function problemReason(body: unknown): string | null {
  const b = (body ?? {}) as { reason?: unknown; extensions?: { reason?: unknown } };
  const r = b.extensions?.reason ?? b.reason;
  return typeof r === 'string' ? r : null;
}

export async function loadPass(token: string): Promise<PassResult> {
  // Plain fetch: no bearer token and no sign-in refresh for a public page.
  const res = await fetch(`/api/passes/${encodeURIComponent(token)}`, { method: 'GET', headers: { accept: 'application/json' } });
  const body: unknown = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
  if (res.ok) return { state: 'ok', pass: body as PassView };
  if (res.status === 404) return { state: 'unknown' };
  if (res.status === 410) return { state: 'dead', reason: problemReason(body) as DeadReason | null };
  throw toProblem(res, body);
}

export const planUrl = (token: string, planId: string) => `/api/passes/${encodeURIComponent(token)}/plans/${encodeURIComponent(planId)}`;
export const qrUrl = (token: string) => `/api/passes/${encodeURIComponent(token)}/qr.svg`;

/** The live pass of a booking, or null while it has none (404). */
export async function bookingPass(projectId: string, bookingId: string): Promise<BookingPassView | null> {
  const { data, error, response } = await api.GET('/api/projects/{projectId}/bookings/{bookingId}/pass', {
    params: { path: { projectId, bookingId } },
  });
  if (response.status === 404) return null;
  if (!response.ok || !data) throw toProblem(response, error);
  return data;
}

/** A new link; the old one stops working at once. */
export function regeneratePass(projectId: string, bookingId: string): Promise<BookingPassView> {
  return unwrap(api.POST('/api/projects/{projectId}/bookings/{bookingId}/pass', { params: { path: { projectId, bookingId } } }));
}

export type LookupQuery = { pass: string } | { code: string };

/** The booking of a scanned pass or a typed code, for check-in at the gate. */
export function gateLookup(projectId: string, query: LookupQuery): Promise<Booking> {
  return unwrap(api.POST('/api/projects/{projectId}/gate/lookup', { params: { path: { projectId } }, body: query }));
}
