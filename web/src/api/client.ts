// The one API client: generated types (schema.d.ts from /api/openapi.json)
// with openapi-fetch, plus the bearer token, one silent refresh on 401, and
// problem+json turned into a typed error.
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { clearTokens, currentAccessToken, refresh } from './session';

export type Schemas = components['schemas'];
export type Booking = Schemas['BookingView'];
export type Project = Schemas['ProjectView'];
export type Resource = Schemas['ResourceView'];
export type Profile = Schemas['Profile'];

export interface FieldError {
  field: string;
  message: string;
}

export class ApiProblem extends Error {
  constructor(
    public status: number,
    public title: string,
    public detail?: string,
    public errors: FieldError[] = [],
    public extensions?: Record<string, unknown>,
    /** The problem's stable `type` slug, e.g. `conflict` (urn:insite-lms:problem:conflict). */
    public type?: string,
  ) {
    super(detail ?? title);
  }
}

let sessionExpired: () => void = () => {};
/** Called when a request is refused with 401 after one refresh: sign in again. */
export function onSessionExpired(f: () => void): void {
  sessionExpired = f;
}

async function send(request: Request): Promise<Response> {
  const retry = request.clone();
  const token = await currentAccessToken();
  if (token) request.headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(request);
  if (res.status !== 401 || !token) return res;
  // The token may have been revoked or signed with a rolled key: refresh once.
  if (await refresh()) {
    const again = await currentAccessToken();
    if (again) retry.headers.set('authorization', `Bearer ${again}`);
    const second = await fetch(retry);
    if (second.status !== 401) return second;
  }
  clearTokens();
  sessionExpired();
  return res;
}

export const api = createClient<paths>({ baseUrl: '', fetch: send });

/** Throws the problem of a failed response; returns the data otherwise. */
export async function unwrap<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (response.ok) return data as T;
  throw toProblem(response, error);
}

export function toProblem(response: Response, error: unknown): ApiProblem {
  const e = (error ?? {}) as { type?: string; title?: string; detail?: string; errors?: FieldError[]; extensions?: Record<string, unknown> };
  const type = e.type?.replace('urn:insite-lms:problem:', '');
  return new ApiProblem(response.status, e.title ?? response.statusText, e.detail, e.errors ?? [], e.extensions, type);
}

const etags = new Map<string, { etag: string; body: unknown }>();

/**
 * GET with If-None-Match: a 304 returns the body kept from the last 200.
 * Used by the screens that poll (board, gate, approvals).
 */
export async function getConditional<T>(url: string): Promise<T> {
  const request = new Request(url);
  const cached = etags.get(url);
  if (cached) request.headers.set('if-none-match', cached.etag);
  const res = await send(request);
  if (res.status === 304 && cached) return cached.body as T;
  const body = res.headers.get('content-type')?.includes('json') ? await res.json() : undefined;
  if (!res.ok) throw toProblem(res, body);
  const etag = res.headers.get('etag');
  if (etag) etags.set(url, { etag, body });
  return body as T;
}

