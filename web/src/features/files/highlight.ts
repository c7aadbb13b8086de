// Search hits in an excerpt, as plain text parts: the screen renders the
// matches as <mark> elements, never the server's text as HTML.

export interface Part {
  text: string;
  hit: boolean;
}

/** The query's words (at least two characters, as the API indexes them). */
export function queryWords(q: string): string[] {
  return q
    .toLocaleLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length >= 2);
}

/**
 * A window of `text` around its first match of any word, split into hit and
 * non-hit parts. Whole words match, case-insensitively, as search does.
 */
export function highlight(text: string, words: string[], width = 160): Part[] {
  if (words.length === 0) return [{ text: text.slice(0, width), hit: false }];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  const first = re.exec(text);
  re.lastIndex = 0;
  let from = 0;
  if (first && first.index > width / 3) from = first.index - Math.floor(width / 3);
  let to = Math.min(text.length, from + width);
  // Do not cut a word in two at either end.
  while (from > 0 && /[\p{L}\p{N}]/u.test(text[from - 1])) from--;
  while (to < text.length && /[\p{L}\p{N}]/u.test(text[to])) to++;
  const slice = text.slice(from, to);
  const parts: Part[] = [];
  if (from > 0) parts.push({ text: '… ', hit: false });
  let last = 0;
  for (const m of slice.matchAll(re)) {
    const i = m.index ?? 0;
    if (i > last) parts.push({ text: slice.slice(last, i), hit: false });
    parts.push({ text: m[0], hit: true });
    last = i + m[0].length;
  }
  if (last < slice.length) parts.push({ text: slice.slice(last), hit: false });
  if (to < text.length) parts.push({ text: ' …', hit: false });
  return parts;
}
