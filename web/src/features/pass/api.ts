// The pass API (issue 18 contract). Public calls go out without any token:
// the pass page is for people without an account.
import { send, toProblem, type Booking } from '../../api/client';

export interface Point {
  x: number;
  y: number;
}
export interface Placement {
  planId: string;
  shape: 'point' | 'polygon';
  points: Point[];
}
export interface PassView {
  code: string;
  start: string;
  end: string;
  timeZone: string;
  validUntil: string;
  project: { name: string; address: string; accessInstructions: string | null };
  resources: { name: string; kind: string; accessInstructions: string | null; placement: Placement | null }[];
  plans: { id: string; width: number; height: number }[];
}
export interface BookingPassView {
  link: string;
  code: string;
  validFrom: string;
  validUntil: string;
}

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
  const res = await fetch(`/api/passes/${encodeURIComponent(token)}`, { method: 'GET', headers: { accept: 'application/json' } });
  const body: unknown = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
  if (res.ok) return { state: 'ok', pass: body as PassView };
  if (res.status === 404) return { state: 'unknown' };
  if (res.status === 410) return { state: 'dead', reason: problemReason(body) as DeadReason | null };
  throw toProblem(res, body);
}

export const planUrl = (token: string, planId: string) => `/api/passes/${encodeURIComponent(token)}/plans/${encodeURIComponent(planId)}`;
export const qrUrl = (token: string) => `/api/passes/${encodeURIComponent(token)}/qr.svg`;

async function call<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await send(
    new Request(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
  const data: unknown = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
  if (!res.ok) throw toProblem(res, data);
  return data as T;
}

/** The live pass of a booking, or null while it has none (404). */
export async function bookingPass(projectId: string, bookingId: string): Promise<BookingPassView | null> {
  try {
    return await call<BookingPassView>('GET', `/api/projects/${encodeURIComponent(projectId)}/bookings/${encodeURIComponent(bookingId)}/pass`);
  } catch (e) {
    if ((e as { status?: number }).status === 404) return null;
    throw e;
  }
}

/** A new link; the old one stops working at once. */
export function regeneratePass(projectId: string, bookingId: string): Promise<BookingPassView> {
  return call<BookingPassView>('POST', `/api/projects/${encodeURIComponent(projectId)}/bookings/${encodeURIComponent(bookingId)}/pass`);
}

export type LookupQuery = { pass: string } | { code: string };

/** The booking of a scanned pass or a typed code, for check-in at the gate. */
export function gateLookup(projectId: string, query: LookupQuery): Promise<Booking> {
  return call<Booking>('POST', `/api/projects/${encodeURIComponent(projectId)}/gate/lookup`, query);
}
