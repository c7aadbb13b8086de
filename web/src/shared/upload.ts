// Uploads with XMLHttpRequest: fetch reports no upload progress, and a
// supplier on a site's mobile network wants to see each photo go up.
import type { InfiniteData } from '@tanstack/react-query';
import { ApiProblem, toProblem, type Schemas } from '../api/client';
import { currentAccessToken, refresh } from '../api/session';

export type FileView = Schemas['FileView'];
export type Category = Schemas['Category'];

export interface UploadOptions {
  category: Category;
  restricted: boolean;
  onProgress: (sent: number, total: number) => void;
}

function send(url: string, form: FormData, onProgress: UploadOptions['onProgress'], token: string | null): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded, e.total);
    };
    xhr.onload = () => {
      let body: unknown;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new TypeError('network'));
    xhr.send(form);
  });
}

/** Sends a form, refreshing the token once on 401; resolves with the stored file, throws an ApiProblem. */
async function sendFile(url: string, form: FormData, onProgress: UploadOptions['onProgress']): Promise<FileView> {
  let res = await send(url, form, onProgress, await currentAccessToken());
  // The token may have been revoked or signed with a rolled key: refresh once.
  if (res.status === 401 && (await refresh())) res = await send(url, form, onProgress, await currentAccessToken());
  if (res.status >= 200 && res.status < 300) return res.body as FileView;
  throw toProblem(new Response(null, { status: res.status, statusText: res.status === 413 ? 'Payload Too Large' : '' }), res.body);
}

/** One file to the project; resolves with the stored file, throws an ApiProblem. */
export async function uploadFile(projectId: string, file: File, o: UploadOptions): Promise<FileView> {
  const url = `/api/projects/${encodeURIComponent(projectId)}/files`;
  const form = new FormData();
  // Category and flag before the bytes: the API refuses a forbidden
  // restricted upload before reading the file.
  form.append('category', o.category);
  form.append('restricted', String(o.restricted));
  form.append('file', file, file.name);
  return sendFile(url, form, o.onProgress);
}

/** A new image for a site plan: same file id, new bytes; the places on it stay (they are relative). */
export async function uploadPlanRevision(projectId: string, fileId: string, file: File, onProgress: UploadOptions['onProgress']): Promise<FileView> {
  const url = `/api/projects/${encodeURIComponent(projectId)}/site-plans/${encodeURIComponent(fileId)}/revision`;
  const form = new FormData();
  form.append('file', file, file.name);
  return sendFile(url, form, onProgress);
}

/** The byte limit named in a 413's detail ("files may be at most N bytes"), if any. */
export function uploadLimit(e: unknown): number | null {
  if (!(e instanceof ApiProblem) || e.status !== 413) return null;
  const m = /(\d+) bytes/.exec(e.detail ?? '');
  return m ? Number(m[1]) : null;
}

export type FilePage = Schemas['Paged_FileView'];

/** The cached unfiltered list with a just-stored file on top (once). */
export function withFile(list: InfiniteData<FilePage, string | undefined> | undefined, file: FileView): InfiniteData<FilePage, string | undefined> | undefined {
  if (!list || list.pages.some((p) => p.items.some((f) => f.id === file.id))) return list;
  const [first, ...rest] = list.pages;
  return { ...list, pages: [{ ...first, items: [file, ...first.items] }, ...rest] };
}
