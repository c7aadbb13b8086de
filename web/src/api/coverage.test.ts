// Every operation of the served OpenAPI document is used by some screen
// (issue 17): this lists the document's operations, scans the app's source
// for the calls it makes, and fails on an operation that nothing calls,
// unless the allow-list below says why no screen needs it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import openapi from './openapi.json';

/** Operations no screen calls, each with its reason. */
const NOT_FOR_SCREENS: Record<string, string> = {
  'GET /api/health': 'the liveness probe of the Functions host and of monitoring',
  'GET /api/openapi.json': 'the API description itself, read by tools and by this test',
  'GET /api/projects/{projectId}/calendar.ics': 'the personal calendar feed, fetched by calendar apps from the link that My account shows',
  'GET /api/projects/{projectId}/files/{fileId}': "one file's metadata: the files list carries every field, and the preview and download read the content",
  'GET /api/projects/{projectId}/resources/{resourceId}': "one resource: the project's resource list, loaded with every project screen, carries every field",
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** A path with its parameters blanked, so `/api/p/{projectId}` and `/api/p/${id}` compare equal. */
const shape = (path: string) => path.split('?')[0].replace(/\$\{[^}]*\}|\{[^}]*\}/g, '{}');

function operations(): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(openapi.paths as Record<string, Record<string, unknown>>)) {
    for (const m of METHODS) if (item[m]) out.push(`${m.toUpperCase()} ${path}`);
  }
  return out;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The calls the app makes: `api.GET('/api/…')`, `getConditional(\`/api/…\`)`, `fetch('/api/…', { method })`, image URL helpers and XMLHttpRequest uploads. */
function calls(): Set<string> {
  const found = new Set<string>();
  const patterns: [RegExp, (m: RegExpMatchArray) => string][] = [
    [/\bapi\.(GET|POST|PUT|PATCH|DELETE)\(\s*['"`](\/api\/[^'"`]*)['"`]/g, (m) => `${m[1]} ${shape(m[2])}`],
    [/\bgetConditional(?:<[^>]*>)?\(\s*[`'"](\/api\/[^`'"]*)[`'"]/g, (m) => `GET ${shape(m[1])}`],
    [/\bfetch\(\s*['"`](\/api\/[^'"`]*)['"`]\s*,\s*\{\s*method:\s*'(\w+)'/g, (m) => `${m[2]} ${shape(m[1])}`],
    // Image addresses built by a helper (`const qrUrl = (…) => \`/api/…\``) and loaded by <img src>: GETs.
    [/\bconst \w+Url = \([^)]*\) =>\s*`(\/api\/[^`]*)`/g, (m) => `GET ${shape(m[1])}`],
  ];
  for (const file of sources(join(import.meta.dirname, '..'))) {
    const text = readFileSync(file, 'utf8');
    for (const [re, key] of patterns) for (const m of text.matchAll(re)) found.add(key(m));
    // XMLHttpRequest (uploads with progress): `xhr.open('POST', url)` with `const url = \`/api/…\`` in the same file
    // (several uploads may share one sender, each with its own `const url`).
    const consts = [...text.matchAll(/\bconst (\w+) = [`'"](\/api\/[^`'"]*)[`'"]/g)];
    for (const m of text.matchAll(/\.open\(\s*'(\w+)',\s*(\w+)\s*\)/g)) {
      for (const c of consts) if (c[1] === m[2]) found.add(`${m[1]} ${shape(c[2])}`);
    }
  }
  return found;
}

describe('operations coverage', () => {
  const used = calls();
  const ops = operations();
  const byShape = (op: string) => {
    const [method, path] = op.split(' ');
    return `${method} ${shape(path)}`;
  };

  it('finds the operations and the calls', () => {
    expect(ops.length).toBeGreaterThan(50);
    expect(used.has('GET /api/me')).toBe(true);
  });

  it('every operation of the API is used by a screen, or is allowed not to be', () => {
    const unused = ops.filter((op) => !used.has(byShape(op)) && !(op in NOT_FOR_SCREENS));
    expect(unused).toEqual([]);
  });

  it('the lists name only operations that exist, and none that a screen uses', () => {
    for (const op of Object.keys(NOT_FOR_SCREENS)) {
      expect(ops, `${op} is not an operation`).toContain(op);
      expect(used.has(byShape(op)), `${op} is used by a screen: take it off the list`).toBe(false);
    }
  });
});
