import type { SearchResult } from '../api/wire';
import { hrefOf } from '../router';
import { formatTime } from './format';

/** Search hits: the snippet's `**matched**` words are highlighted with <mark>, everything else is text. */
export function SearchResults(props: { readonly query: string; readonly results: readonly SearchResult[]; readonly onClear: () => void }) {
  return (
    <section class="panel" aria-label="Search results" data-testid="search-results">
      <div class="row spread">
        <h2>
          {props.results.length === 0 ? 'Nothing found' : `Results`} for “{props.query}”
        </h2>
        <button onClick={props.onClear}>Clear search</button>
      </div>
      <ol class="results">
        {props.results.map((r) => (
          <li key={`${r.session_id}-${r.seq}`} data-testid="search-result">
            <a href={hrefOf({ screen: 'session', id: r.session_id, message: r.seq })}>
              <span class="title">{r.title ?? 'Untitled session'}</span>
              <span class="muted small">
                {' '}
                · {r.role} · {formatTime(r.created_at)}
              </span>
              <span class="snippet">
                <Snippet text={r.snippet} />
              </span>
            </a>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function Snippet({ text }: { readonly text: string }) {
  return (
    <>
      {text.split('**').map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part))}
    </>
  );
}
