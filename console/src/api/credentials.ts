/**
 * The console's credential: a bearer token (typed in, or from the built-in login) or an API key. Kept in
 * memory and in sessionStorage only (gone when the tab closes; never localStorage, never a cookie).
 */
export type Credential =
  | { readonly kind: 'token'; readonly token: string; readonly refreshToken?: string }
  | { readonly kind: 'api_key'; readonly key: string };

const STORAGE_KEY = 'codelab-console.credential';

/** The part of the Web Storage API the store needs (sessionStorage in the browser). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class CredentialStore {
  private current: Credential | undefined;

  constructor(private readonly storage: KeyValueStorage | undefined) {
    this.current = readStored(storage);
  }

  get(): Credential | undefined {
    return this.current;
  }

  set(credential: Credential): void {
    this.current = credential;
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(credential));
    } catch {
      // Storage full or disabled: the credential still lives in memory for this page.
    }
  }

  clear(): void {
    this.current = undefined;
    this.storage?.removeItem(STORAGE_KEY);
  }

  /** Headers for REST calls. */
  headers(): Record<string, string> {
    const c = this.current;
    if (!c) return {};
    return c.kind === 'token' ? { Authorization: `Bearer ${c.token}` } : { 'X-API-Key': c.key };
  }

  /** Query parameters for the WebSocket URL: browsers cannot set headers on a WebSocket. */
  socketQuery(): Record<string, string> {
    const c = this.current;
    if (!c) return {};
    return c.kind === 'token' ? { access_token: c.token } : { api_key: c.key };
  }
}

function readStored(storage: KeyValueStorage | undefined): Credential | undefined {
  const text = storage?.getItem(STORAGE_KEY);
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<{ kind: string; token: string; refreshToken: string; key: string }>;
    if (value.kind === 'token' && typeof value.token === 'string') {
      return { kind: 'token', token: value.token, ...(typeof value.refreshToken === 'string' ? { refreshToken: value.refreshToken } : {}) };
    }
    if (value.kind === 'api_key' && typeof value.key === 'string') return { kind: 'api_key', key: value.key };
  } catch {
    // A damaged entry: ignore it and ask again.
  }
  return undefined;
}
