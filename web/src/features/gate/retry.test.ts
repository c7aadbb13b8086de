import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../api/client';
import { isTransient, withRetry } from './retry';

const noSleep = { sleep: async () => {} };

describe('withRetry', () => {
  it('retries network failures and gateway errors, then succeeds', async () => {
    const failures: unknown[] = [new TypeError('Failed to fetch'), new ApiProblem(503, 'Service Unavailable')];
    const retries: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        const f = failures.shift();
        if (f) throw f;
        return 'booking';
      },
      (n) => retries.push(n),
      noSleep,
    );
    expect(result).toBe('booking');
    expect(calls).toBe(3);
    expect(retries).toEqual([1, 2]);
  });

  it('does not retry an answer of the server', async () => {
    let calls = 0;
    const gone = new ApiProblem(410, 'Gone', undefined, [], { reason: 'cancelled' });
    await expect(
      withRetry(
        async () => {
          calls++;
          throw gone;
        },
        () => {},
        noSleep,
      ),
    ).rejects.toBe(gone);
    expect(calls).toBe(1);
  });

  it('gives up after the last pause', async () => {
    let calls = 0;
    const pauses: number[] = [];
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new TypeError('Failed to fetch');
        },
        () => {},
        { delays: [10, 20], sleep: async (ms) => void pauses.push(ms) },
      ),
    ).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(3);
    expect(pauses).toEqual([10, 20]);
  });
});

describe('isTransient', () => {
  it('tells lost connections from refusals', () => {
    expect(isTransient(new TypeError('NetworkError'))).toBe(true);
    expect(isTransient(new ApiProblem(504, 'Gateway Timeout'))).toBe(true);
    expect(isTransient(new ApiProblem(409, 'Conflict'))).toBe(false);
    expect(isTransient(new ApiProblem(404, 'Not Found'))).toBe(false);
    expect(isTransient(new Error('other'))).toBe(false);
  });
});
