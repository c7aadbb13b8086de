import { useEffect, useId, useRef, useState, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { ApiProblem } from '../api/client';
import { useI18n, type MessageKey } from './i18n';

export function Loading() {
  const { t } = useI18n();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}

/** The page's one h1; also names the document. */
export function PageTitle({ children, title }: { children: ReactNode; title: string }) {
  useEffect(() => {
    document.title = `${title} · Insite LMS`;
  }, [title]);
  return <h1>{children}</h1>;
}

const statusTitles: Record<number, MessageKey> = {
  400: 'problem.400',
  401: 'problem.401',
  403: 'problem.403',
  404: 'problem.404',
  409: 'problem.409',
  410: 'problem.410',
  413: 'problem.413',
  422: 'problem.422',
  429: 'problem.429',
};

/**
 * Problems the API marks with `extensions.reason`, told precisely in the
 * person's language. The API's texts are English only (it has no
 * localization hook); the web maps a problem's type, status and reason.
 */
const reasonTexts: Record<string, MessageKey> = {
  'last-owner': 'problem.reason.lastOwner',
};

/** The localized text of a problem: its reason if known, else its status. */
export function problemText(p: ApiProblem): MessageKey {
  const reason = typeof p.extensions?.reason === 'string' ? reasonTexts[p.extensions.reason] : undefined;
  return reason ?? statusTitles[p.status] ?? 'problem.other';
}

/** A problem+json as a message in the person's language; the API's own detail (English) below it. */
export function ProblemMessage({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const p = error instanceof ApiProblem ? error : null;
  const key = p ? problemText(p) : 'problem.network';
  return (
    <div className="problem" role="alert">
      <p className="problem-title">{t(key)}</p>
      {p?.detail && (
        <p className="problem-detail" lang="en">
          {p.detail}
        </p>
      )}
      {p && p.errors.length > 0 && (
        <ul lang="en">
          {p.errors.map((e) => (
            <li key={e.field + e.message}>
              {e.field}: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiProblem)) return undefined;
  return error.errors.find((e) => e.field === field)?.message;
}

type FieldProps = { label: string; error?: string; hint?: string } & InputHTMLAttributes<HTMLInputElement>;

export function Field({ label, error, hint, ...input }: FieldProps) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-err`].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={described} {...input} />
      {error && (
        <span className="field-error" id={`${id}-err`}>
          {error}
        </span>
      )}
    </div>
  );
}

export function SelectField({ label, children, ...select }: { label: string } & SelectHTMLAttributes<HTMLSelectElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} {...select}>
        {children}
      </select>
    </div>
  );
}

export function TextAreaField({ label, error, hint, ...area }: { label: string; error?: string; hint?: string } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const id = useId();
  const described = [hint && `${id}-hint`, error && `${id}-err`].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={described} {...area} />
      {error && (
        <span className="field-error" id={`${id}-err`}>
          {error}
        </span>
      )}
    </div>
  );
}

/** A modal dialog on the native <dialog>: focus trap, Escape and the top layer come with it. */
export function Dialog({ open, title, onClose, children }: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="dialog">
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

/** Asks before an irreversible act; the act's refusal is shown in the dialog, which stays open. */
export function ConfirmDialog({
  title,
  text,
  confirmLabel,
  onConfirm,
  onClose,
}: {
  title: string;
  text: string;
  confirmLabel: string;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog open title={title} onClose={onClose}>
      <p>{text}</p>
      <ProblemMessage error={error} />
      <div className="actions">
        <button
          type="button"
          className="danger"
          onClick={async () => {
            setError(null);
            try {
              await onConfirm();
            } catch (err) {
              setError(err);
            }
          }}
        >
          {confirmLabel}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          {t('common.cancel')}
        </button>
      </div>
    </Dialog>
  );
}

export function StatusBadge({ status, noShow }: { status: string; noShow?: boolean }) {
  const { t } = useI18n();
  const key = noShow ? 'noShow' : status;
  return <span className={`badge status-${key}`}>{t(`status.${key}` as MessageKey)}</span>;
}
