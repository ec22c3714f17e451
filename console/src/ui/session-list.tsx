import { useEffect, useRef, useState } from 'preact/hooks';
import type { RestClient } from '../api/rest-client';
import type { ExportFormat, SearchPage, SessionPage } from '../api/wire';
import { hrefOf, navigate } from '../router';
import { errorText } from './format';
import { Problem } from './problem';
import { SearchResults } from './search-results';
import { SessionRow } from './session-row';

const PAGE_SIZE = 20;

/** The sessions, newest activity first, paged; a search box over all messages; new, rename, delete, export. */
export function SessionList(props: { readonly api: RestClient; readonly page: number }) {
  const { api, page } = props;
  const [data, setData] = useState<SessionPage | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<SearchPage | undefined>(undefined);
  const [reloads, setReloads] = useState(0);
  const searchBox = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let alive = true;
    api.listSessions(PAGE_SIZE, (page - 1) * PAGE_SIZE).then(
      (result) => {
        if (!alive) return;
        setData(result);
        setProblem(undefined);
        // Deleting the last session of a page leaves it empty: go back one.
        if (result.sessions.length === 0 && page > 1 && result.total > 0) navigate({ screen: 'sessions', page: page - 1 });
      },
      (error: unknown) => alive && setProblem(errorText(error)),
    );
    return () => {
      alive = false;
    };
  }, [api, page, reloads]);

  useEffect(() => {
    // "/" jumps to the search box, as in many web apps.
    const onKey = (event: KeyboardEvent): void => {
      const target = event.target as HTMLElement | null;
      if (event.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(target?.tagName ?? '')) {
        event.preventDefault();
        searchBox.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const guard = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
      setProblem(undefined);
    } catch (error) {
      setProblem(errorText(error));
    }
  };
  const actions = {
    rename: (id: string, title: string) =>
      guard(async () => {
        await api.renameSession(id, title);
        setReloads((n) => n + 1);
      }),
    remove: (id: string) =>
      guard(async () => {
        await api.deleteSession(id);
        setReloads((n) => n + 1);
      }),
  };
  const download = (id: string, format: ExportFormat) =>
    guard(async () => {
      const file = await api.exportSession(id, format);
      const url = URL.createObjectURL(file.blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = file.fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
  const runSearch = (text: string) =>
    guard(async () => {
      if (text.trim() === '') {
        setSearch(undefined);
        return;
      }
      setSearch(await api.search(text.trim(), 50, 0));
    });

  // From the page on screen (not the route), so the numbers never describe rows still loading.
  const total = data?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const first = data && data.sessions.length > 0 ? data.offset + 1 : 0;
  const last = data ? data.offset + data.sessions.length : 0;

  return (
    <main class="session-list">
      <div class="row spread wrap">
        <h1>Sessions</h1>
        <button
          class="primary"
          data-testid="new-session"
          onClick={() => void guard(async () => navigate({ screen: 'session', id: (await api.createSession()).id }))}
        >
          New session
        </button>
      </div>
      <form
        class="search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          void runSearch(query);
        }}
      >
        <label class="sr-only" for="search">
          Search all messages
        </label>
        <input
          id="search"
          ref={searchBox}
          type="search"
          data-testid="search-input"
          placeholder="Search all messages (press / to jump here)"
          maxLength={500}
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      <Problem text={problem} testId="problem" />
      {search && (
        <SearchResults
          query={search.query}
          results={search.results}
          onClear={() => {
            setSearch(undefined);
            setQuery('');
          }}
        />
      )}
      {data && data.sessions.length === 0 && <p class="empty">No sessions yet. Start one with “New session”.</p>}
      <ul class="sessions" aria-label="Sessions">
        {data?.sessions.map((session) => (
          <SessionRow
            key={`${session.id}-${session.title ?? ''}`}
            session={session}
            actions={actions}
            extra={
              <>
                <button data-testid="export-json" onClick={() => void download(session.id, 'json')} aria-label={`Export ${session.title ?? session.id} as JSON`}>
                  Export JSON
                </button>
                <button data-testid="export-markdown" onClick={() => void download(session.id, 'markdown')} aria-label={`Export ${session.title ?? session.id} as Markdown`}>
                  Export Markdown
                </button>
              </>
            }
          />
        ))}
      </ul>
      {total > 0 && (
        <nav class="row pager" aria-label="Pages">
          <a class={`button${page <= 1 ? ' disabled' : ''}`} aria-disabled={page <= 1} href={hrefOf({ screen: 'sessions', page: Math.max(1, page - 1) })} data-testid="prev-page">
            ← Newer
          </a>
          <span data-testid="page-info">
            {first}–{last} of {total}
          </span>
          <a class={`button${page >= pages ? ' disabled' : ''}`} aria-disabled={page >= pages} href={hrefOf({ screen: 'sessions', page: Math.min(pages, page + 1) })} data-testid="next-page">
            Older →
          </a>
        </nav>
      )}
    </main>
  );
}
