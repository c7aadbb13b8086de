import { useInfiniteQuery, useQuery, useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import { api, toProblem, unwrap } from '../../api/client';
import { useAuth } from '../../app/auth';
import { useProject } from '../../app/Layout';
import { useI18n, type Language, type MessageKey } from '../../shared/i18n';
import { formatDateTime } from '../../shared/time';
import { ConfirmDialog, Dialog, Loading, PageTitle, ProblemMessage, SelectField } from '../../shared/ui';
import '../../shared/admin.css';
import { highlight, queryWords } from './highlight';
import { uploadFile, uploadLimit, withFile, type Category, type FilePage, type FileView } from '../../shared/upload';

const CATEGORIES: Category[] = ['photo', 'logistics', 'document'];

export function formatBytes(n: number, lang: Language): string {
  const locale = lang === 'de' ? 'de-AT' : 'en-GB';
  const [value, unit] = n < 1024 ? [n, 'byte'] : n < 1024 * 1024 ? [n / 1024, 'kilobyte'] : [n / 1024 / 1024, 'megabyte'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, maximumFractionDigits: value < 10 && unit !== 'byte' ? 1 : 0 }).format(value);
}

/**
 * Project files (P7, P8): upload several at once with a progress bar each,
 * photos straight from the phone's camera; list, search in their text,
 * preview images, download the rest, delete. The search is in the URL (`?q=`).
 */
export default function FilesPage() {
  const { t } = useI18n();
  const { project, canManage } = useProject();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const canUpload = project.role !== 'viewer';
  return (
    <div className="page files-page">
      <PageTitle title={t('files.title')}>{t('files.title')}</PageTitle>
      {canUpload ? <Uploader projectId={project.id} canRestrict={canManage} /> : <p className="notice">{t('files.viewerOnly')}</p>}
      <section className="card" aria-labelledby="files-h">
        <h2 id="files-h">{q ? t('files.results', { q }) : t('files.list')}</h2>
        <SearchForm key={q} q={q} onSearch={(next) => setParams(next ? { q: next } : {}, { replace: true })} />
        <FileList projectId={project.id} q={q} canManage={canManage} />
      </section>
    </div>
  );
}

function SearchForm({ q, onSearch }: { q: string; onSearch: (q: string) => void }) {
  const { t } = useI18n();
  const [text, setText] = useState(q);
  const id = useId();
  return (
    <form
      role="search"
      className="toolbar"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text.trim());
      }}
    >
      <div className="field">
        <label htmlFor={id}>{t('files.search')}</label>
        <input id={id} type="search" value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      <button type="submit">{t('files.searchSubmit')}</button>
      {q && (
        <button type="button" className="secondary" onClick={() => onSearch('')}>
          {t('files.showAll')}
        </button>
      )}
    </form>
  );
}

interface Item {
  key: number;
  name: string;
  size: number;
  sent: number;
  state: 'uploading' | 'done' | 'failed';
  error?: unknown;
}

function Uploader({ projectId, canRestrict }: { projectId: string; canRestrict: boolean }) {
  const { t, lang } = useI18n();
  const qc = useQueryClient();
  const [category, setCategory] = useState<Category>('photo');
  const [restricted, setRestricted] = useState(false);
  const [items, setItems] = useState<Item[]>([]);
  const nextKey = useRef(0);
  const filesId = useId();
  const cameraId = useId();

  const start = (list: FileList | null) => {
    if (!list || list.length === 0) return;
    const files = Array.from(list);
    const added = files.map((f) => ({ key: nextKey.current++, name: f.name, size: f.size, sent: 0, state: 'uploading' as const }));
    setItems((old) => [...added, ...old]);
    const patch = (key: number, change: Partial<Item>) => setItems((old) => old.map((i) => (i.key === key ? { ...i, ...change } : i)));
    files.forEach(async (f, n) => {
      const key = added[n].key;
      try {
        const stored = await uploadFile(projectId, f, { category, restricted, onProgress: (sent) => patch(key, { sent }) });
        patch(key, { state: 'done', sent: f.size });
        // Each file shows up in the list as soon as it is stored, even while
        // the refetch of an earlier upload is still under way.
        qc.setQueryData<InfiniteData<FilePage, string | undefined>>(['files', projectId, ''], (old) => withFile(old, stored));
        await qc.invalidateQueries({ queryKey: ['files', projectId] });
      } catch (error) {
        patch(key, { state: 'failed', error });
      }
    });
  };

  return (
    <section className="card" aria-labelledby="upload-h">
      <h2 id="upload-h">{t('files.upload')}</h2>
      <div className="row">
        <SelectField label={t('files.category')} value={category} onChange={(e) => setCategory(e.target.value as Category)}>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {t(`category.${c}` as MessageKey)}
            </option>
          ))}
        </SelectField>
        {canRestrict && (
          <label className="check">
            <input type="checkbox" checked={restricted} onChange={(e) => setRestricted(e.target.checked)} />
            {t('files.restrictedFlag')}
          </label>
        )}
      </div>
      <p className="hint">{t('files.uploadHint')}</p>
      <div className="actions pickers">
        {/* Real inputs, visually hidden but focusable: the label is the button. */}
        <input
          id={filesId}
          className="file-input"
          type="file"
          multiple
          onChange={(e) => {
            start(e.target.files);
            e.target.value = '';
          }}
        />
        <label htmlFor={filesId} className="button">
          {t('files.choose')}
        </label>
        <input
          id={cameraId}
          className="file-input"
          type="file"
          accept="image/*"
          capture="environment"
          multiple
          onChange={(e) => {
            start(e.target.files);
            e.target.value = '';
          }}
        />
        <label htmlFor={cameraId} className="button secondary">
          {t('files.camera')}
        </label>
      </div>
      {items.length > 0 && (
        <ul className="upload-list" aria-label={t('files.uploads')}>
          {items.map((i) => (
            <li key={i.key} className={`upload upload-${i.state}`}>
              <span className="upload-name">{i.name}</span>
              <progress max={i.size || 1} value={i.state === 'failed' ? 0 : i.sent} aria-label={t('files.progressOf', { name: i.name })} />
              <span className="upload-state" role={i.state === 'failed' ? 'alert' : undefined}>
                {i.state === 'uploading' && t('files.uploading', { percent: i.size ? Math.floor((i.sent / i.size) * 100) : 0 })}
                {i.state === 'done' && t('files.uploaded', { size: formatBytes(i.size, lang) })}
                {i.state === 'failed' && <UploadFailure name={i.name} error={i.error} />}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function UploadFailure({ name, error }: { name: string; error: unknown }) {
  const { t, lang } = useI18n();
  const limit = uploadLimit(error);
  if (limit !== null) return <>{t('files.tooLarge', { name, limit: formatBytes(limit, lang) })}</>;
  return <ProblemMessage error={error} />;
}

function FileList({ projectId, q, canManage }: { projectId: string; q: string; canManage: boolean }) {
  const { t, lang } = useI18n();
  const { project } = useProject();
  const { me } = useAuth();
  const files = useInfiniteQuery({
    queryKey: ['files', projectId, q],
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/projects/{projectId}/files', { params: { path: { projectId }, query: { q: q || undefined, limit: 50, next: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
    // Indexing runs after the upload: look again while a file is pending.
    refetchInterval: (query) => (query.state.data?.pages.some((p) => p.items.some((f) => f.indexStatus === 'pending')) ? 1500 : false),
  });
  const members = useQuery({
    queryKey: ['members', projectId],
    queryFn: () => unwrap(api.GET('/api/projects/{projectId}/members', { params: { path: { projectId }, query: { limit: 200 } } })),
  });
  const [previewing, setPreviewing] = useState<FileView | null>(null);
  const [deleting, setDeleting] = useState<FileView | null>(null);
  const [done, setDone] = useState('');
  const [error, setError] = useState<unknown>(null);
  const words = queryWords(q);

  const who = (id: string) => {
    const m = members.data?.items.find((x) => x.userId === id);
    return m ? `${m.firstName} ${m.lastName}` : t('files.formerMember');
  };

  const download = async (f: FileView) => {
    setError(null);
    try {
      const { data, error: e, response } = await api.GET('/api/projects/{projectId}/files/{fileId}/content', {
        params: { path: { projectId, fileId: f.id } },
        parseAs: 'blob',
      });
      if (!response.ok || !data) throw toProblem(response, e);
      const url = URL.createObjectURL(data as Blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = f.name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err);
    }
  };

  // A failed refresh keeps the list on screen with the problem above it.
  if (!files.data) return files.error ? <ProblemMessage error={files.error} /> : <Loading />;
  const list = files.data.pages.flatMap((p) => p.items);
  return (
    <>
      <p className="status-line" role="status">
        {done}
      </p>
      <ProblemMessage error={error ?? files.error} />
      {list.length === 0 ? (
        <p>{q ? t('files.noHits', { q }) : t('files.none')}</p>
      ) : (
        <div className="table-scroll">
          <table className="list-table file-table">
            <caption className="sr-only">{q ? t('files.results', { q }) : t('files.list')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('files.name')}</th>
                <th scope="col">{t('files.size')}</th>
                <th scope="col">{t('files.type')}</th>
                <th scope="col">{t('files.uploadedBy')}</th>
                <th scope="col">{t('files.date')}</th>
                <th scope="col">{t('files.index')}</th>
                <th scope="col">{t('resource.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((f) => {
                const excerpt = q && f.index?.excerpt ? highlight(f.index.excerpt, words) : null;
                const isImage = f.contentType.startsWith('image/');
                return (
                  <tr key={f.id}>
                    <th scope="row" className="file-name">
                      <span className="name-text">{f.name}</span>
                      <span className="kind-label">
                        {t(`category.${f.category}` as MessageKey)}
                        {f.restricted && <span className="badge restricted">{t('files.restricted')}</span>}
                      </span>
                      {excerpt && (
                        <span className="excerpt">
                          {excerpt.map((p, n) => (p.hit ? <mark key={n}>{p.text}</mark> : <span key={n}>{p.text}</span>))}
                        </span>
                      )}
                    </th>
                    <td>{formatBytes(f.size, lang)}</td>
                    <td className="type-cell">{f.contentType}</td>
                    <td>{who(f.uploadedBy)}</td>
                    <td>{formatDateTime(f.uploadedAt, lang, project.timeZone)}</td>
                    <td>
                      <span className={`badge index-${f.indexStatus}`}>{t(`files.index.${f.indexStatus}` as MessageKey)}</span>
                    </td>
                    <td>
                      <div className="actions">
                        {isImage ? (
                          <button type="button" className="secondary" aria-label={`${t('files.preview')}: ${f.name}`} onClick={() => setPreviewing(f)}>
                            {t('files.preview')}
                          </button>
                        ) : (
                          <button type="button" className="secondary" aria-label={`${t('files.download')}: ${f.name}`} onClick={() => void download(f)}>
                            {t('files.download')}
                          </button>
                        )}
                        {(canManage || f.uploadedBy === me?.id) && (
                          <button type="button" className="secondary" aria-label={`${t('files.delete')}: ${f.name}`} onClick={() => setDeleting(f)}>
                            {t('files.delete')}
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {files.hasNextPage && (
        <button type="button" className="secondary" disabled={files.isFetchingNextPage} onClick={() => void files.fetchNextPage()}>
          {t('files.more')}
        </button>
      )}
      {previewing && <Preview projectId={projectId} file={previewing} onClose={() => setPreviewing(null)} onDownload={() => void download(previewing)} />}
      {deleting && (
        <DeleteFile
          projectId={projectId}
          file={deleting}
          onClose={() => setDeleting(null)}
          onDone={(name) => {
            setDeleting(null);
            setDone(t('files.deleted', { name }));
          }}
        />
      )}
    </>
  );
}

/**
 * An image preview. The bytes need the bearer token, so they are fetched
 * and drawn on a canvas: the app's CSP allows images from 'self' only, not
 * blob: URLs.
 */
function Preview({ projectId, file, onClose, onDownload }: { projectId: string; file: FileView; onClose: () => void; onDownload: () => void }) {
  const { t } = useI18n();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [error, setError] = useState<unknown>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const { data, response } = await api.GET('/api/projects/{projectId}/files/{fileId}/content', {
          params: { path: { projectId, fileId: file.id } },
          parseAs: 'blob',
        });
        if (!response.ok || !data) throw new Error(String(response.status));
        const bitmap = await createImageBitmap(data as Blob);
        const c = canvas.current;
        if (cancelled || !c) return;
        const scale = Math.min(1, 1200 / bitmap.width);
        c.width = Math.round(bitmap.width * scale);
        c.height = Math.round(bitmap.height * scale);
        c.getContext('2d')?.drawImage(bitmap, 0, 0, c.width, c.height);
        setReady(true);
      } catch (err) {
        if (!cancelled) setError(err);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [projectId, file.id]);
  return (
    <Dialog open title={file.name} onClose={onClose}>
      {!ready && !error && <Loading />}
      {error ? <p className="problem">{t('files.previewFailed')}</p> : null}
      <canvas ref={canvas} className="preview" role="img" aria-label={t('files.previewOf', { name: file.name })} hidden={!ready} />
      <div className="actions">
        <button type="button" className="secondary" onClick={onDownload}>
          {t('files.download')}
        </button>
        <button type="button" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Dialog>
  );
}

function DeleteFile({ projectId, file, onClose, onDone }: { projectId: string; file: FileView; onClose: () => void; onDone: (name: string) => void }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  return (
    <ConfirmDialog
      title={t('files.deleteTitle', { name: file.name })}
      text={t('files.deleteText')}
      confirmLabel={t('files.deleteConfirm')}
      onClose={onClose}
      onConfirm={async () => {
        await unwrap(api.DELETE('/api/projects/{projectId}/files/{fileId}', { params: { path: { projectId, fileId: file.id } } }));
        await qc.invalidateQueries({ queryKey: ['files', projectId] });
        onDone(file.name);
      }}
    />
  );
}
