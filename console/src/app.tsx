import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Credential, CredentialStore } from './api/credentials';
import { isLoginEnabled, refreshLogin } from './api/login-client';
import { RestClient } from './api/rest-client';
import type { AgentInfo } from './api/wire';
import { hrefOf, useRoute } from './router';
import { errorText } from './ui/format';
import { LoginScreen } from './ui/login-screen';
import { SessionList } from './ui/session-list';
import { SessionView } from './ui/session-view';

type Access = { readonly phase: 'checking' } | { readonly phase: 'login'; readonly loginEnabled: boolean; readonly rejected: boolean } | { readonly phase: 'ready'; readonly authOn: boolean } | { readonly phase: 'offline'; readonly message: string };

/** Renews a login token a minute before it expires (the refresh token rotates on every use). */
const REFRESH_MARGIN_S = 60;

export function App() {
  const credentials = useMemo(() => new CredentialStore(safeSessionStorage()), []);
  const [access, setAccess] = useState<Access>({ phase: 'checking' });
  const [agents, setAgents] = useState<readonly AgentInfo[]>([]);
  const refreshTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const renewing = useRef<Promise<void> | undefined>(undefined);
  const route = useRoute();

  const askForCredential = useCallback(async (rejected: boolean) => {
    setAccess({ phase: 'login', loginEnabled: await isLoginEnabled(), rejected });
  }, []);

  const api = useMemo(
    () =>
      new RestClient(credentials, () => {
        void renew();
      }),
    [credentials],
  );

  const check = useCallback(async () => {
    try {
      if (await api.checkAccess()) {
        setAccess({ phase: 'ready', authOn: credentials.get() !== undefined });
        setAgents(await api.agents());
      } else {
        await askForCredential(credentials.get() !== undefined);
      }
    } catch (error) {
      setAccess({ phase: 'offline', message: errorText(error) });
    }
  }, [api, credentials, askForCredential]);

  const schedule = (expiresIn: number | undefined): void => {
    if (refreshTimer.current !== undefined) clearTimeout(refreshTimer.current);
    const current = credentials.get();
    if (expiresIn === undefined || current?.kind !== 'token' || !current.refreshToken) return;
    refreshTimer.current = setTimeout(() => void renew(), Math.max(5, expiresIn - REFRESH_MARGIN_S) * 1000);
  };

  /**
   * A 401 or an expiring token: use the refresh token once if there is one, else ask the user. One
   * renewal at a time: refresh tokens rotate, and using one twice revokes the whole login.
   */
  function renew(): Promise<void> {
    renewing.current ??= renewOnce().finally(() => {
      renewing.current = undefined;
    });
    return renewing.current;
  }

  async function renewOnce(): Promise<void> {
    const current = credentials.get();
    if (current?.kind === 'token' && current.refreshToken) {
      try {
        const issued = await refreshLogin(current.refreshToken);
        credentials.set(issued.credential);
        schedule(issued.expiresIn);
        return;
      } catch {
        // Expired or revoked: ask again.
      }
    }
    credentials.clear();
    await askForCredential(current !== undefined);
  }

  const accept = (credential: Credential, expiresIn?: number): void => {
    credentials.set(credential);
    schedule(expiresIn);
    setAccess({ phase: 'checking' });
    void check();
  };

  useEffect(() => {
    void check();
    return () => refreshTimer.current !== undefined && clearTimeout(refreshTimer.current);
  }, [check]);

  return (
    <>
      <header class="top">
        <a class="brand" href={hrefOf({ screen: 'sessions', page: 1 })}>
          CodeLab console
        </a>
        <nav class="row">
          <a href="/api/docs" target="_blank" rel="noopener">
            API docs
          </a>
          {access.phase === 'ready' && access.authOn && (
            <button
              data-testid="sign-out"
              onClick={() => {
                credentials.clear();
                void askForCredential(false);
              }}
            >
              Sign out
            </button>
          )}
        </nav>
      </header>
      {access.phase === 'checking' && <p class="empty">Connecting…</p>}
      {access.phase === 'offline' && (
        <p class="problem" role="alert">
          {access.message} <button onClick={() => void check()}>Try again</button>
        </p>
      )}
      {access.phase === 'login' && <LoginScreen loginEnabled={access.loginEnabled} rejected={access.rejected} onCredential={accept} />}
      {access.phase === 'ready' &&
        (route.screen === 'session' ? (
          <SessionView key={route.id} id={route.id} highlight={route.message} api={api} credentials={credentials} agents={agents} />
        ) : (
          <SessionList api={api} page={route.page} />
        ))}
    </>
  );
}

function safeSessionStorage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}
