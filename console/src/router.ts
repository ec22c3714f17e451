import { useEffect, useState } from 'preact/hooks';

/** The console's screens, addressed by the URL hash so that reload, back and links work. */
export type Route =
  | { readonly screen: 'sessions'; readonly page: number }
  | { readonly screen: 'session'; readonly id: string; readonly message?: number };

export function parseRoute(hash: string): Route {
  const session = /^#\/s\/([^/]+)(?:\/m\/(\d+))?$/.exec(hash);
  if (session?.[1]) {
    const id = safeDecode(session[1]);
    if (id !== undefined) return { screen: 'session', id, ...(session[2] ? { message: Number(session[2]) } : {}) };
  }
  const page = /^#\/sessions\/(\d+)$/.exec(hash);
  return { screen: 'sessions', page: page?.[1] ? Math.max(1, Number(page[1])) : 1 };
}

export function hrefOf(route: Route): string {
  if (route.screen === 'sessions') return route.page > 1 ? `#/sessions/${route.page}` : '#/';
  return `#/s/${encodeURIComponent(route.id)}${route.message !== undefined ? `/m/${route.message}` : ''}`;
}

export function navigate(route: Route): void {
  location.hash = hrefOf(route);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
