import { useState } from 'preact/hooks';
import type { SessionObject } from '../api/wire';
import { hrefOf } from '../router';
import { formatTime } from './format';

export interface SessionActions {
  rename(id: string, title: string): Promise<void>;
  remove(id: string): Promise<void>;
}

/** One session in the list, with inline rename (Enter saves, Escape cancels) and a confirmed delete. */
export function SessionRow({ session, actions, extra }: { readonly session: SessionObject; readonly actions: SessionActions; readonly extra?: preact.ComponentChildren }) {
  const [mode, setMode] = useState<'view' | 'rename' | 'delete'>('view');
  const [title, setTitle] = useState(session.title ?? '');
  const [busy, setBusy] = useState(false);
  const run = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    try {
      await work();
      setMode('view');
    } finally {
      setBusy(false);
    }
  };

  return (
    <li class="session-row" data-testid="session-row" data-session-id={session.id}>
      {mode === 'rename' ? (
        <form
          class="rename"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => actions.rename(session.id, title.trim()));
          }}
        >
          <input
            aria-label="New title"
            data-testid="rename-input"
            value={title}
            maxLength={200}
            ref={(el) => el?.focus()}
            onInput={(e) => setTitle(e.currentTarget.value)}
            onKeyDown={(e) => e.key === 'Escape' && setMode('view')}
          />
          <button class="primary" type="submit" disabled={busy || title.trim() === ''} data-testid="rename-save">
            Save
          </button>
          <button type="button" onClick={() => setMode('view')}>
            Cancel
          </button>
        </form>
      ) : (
        <a class="session-link" href={hrefOf({ screen: 'session', id: session.id })} data-testid="session-link">
          <span class="title">{session.title ?? 'Untitled session'}</span>
          <span class="muted small">
            {session.message_count} message{session.message_count === 1 ? '' : 's'} · {session.current_agent} · {formatTime(session.last_activity)}
          </span>
        </a>
      )}
      {mode === 'view' && (
        <div class="row actions">
          <button data-testid="rename" onClick={() => setMode('rename')} aria-label={`Rename ${session.title ?? session.id}`}>
            Rename
          </button>
          {extra}
          <button class="danger" data-testid="delete" onClick={() => setMode('delete')} aria-label={`Delete ${session.title ?? session.id}`}>
            Delete
          </button>
        </div>
      )}
      {mode === 'delete' && (
        <div class="row actions" role="group" aria-label="Confirm delete">
          <span>Delete this session and its history?</span>
          <button class="danger" data-testid="confirm-delete" disabled={busy} onClick={() => void run(() => actions.remove(session.id))}>
            Delete
          </button>
          <button onClick={() => setMode('view')} ref={(el) => el?.focus()}>
            Keep
          </button>
        </div>
      )}
    </li>
  );
}
