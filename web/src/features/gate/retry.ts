// Retries for the gate, where the tablet's connection comes and goes: a
// request that did not reach the server (or met a gateway that could not
// reach it) is sent again after a growing pause. The requests retried here
// are safe to repeat: a lookup reads, and check-in/out are idempotent on
// the server, so a retry after a lost answer never checks in twice.
import { ApiProblem } from '../../api/client';

/** Pauses before the 2nd, 3rd, … attempt (ms): about a minute in all. */
export const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000];

/** A failure worth retrying: no answer at all, or a gateway's 502/503/504. */
export function isTransient(e: unknown): boolean {
  if (e instanceof ApiProblem) return e.status === 502 || e.status === 503 || e.status === 504;
  // fetch rejects with a TypeError when the network is down.
  return e instanceof TypeError;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the pauses run out;
 * `onRetry(n)` is told before the n-th retry (1-based), so the screen can say so.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  onRetry: (n: number) => void,
  { delays = BACKOFF_MS, sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) }: { delays?: number[]; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      if (!isTransient(e) || n >= delays.length) throw e;
      onRetry(n + 1);
      await sleep(delays[n]);
    }
  }
}
