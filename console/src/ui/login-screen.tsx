import { useState } from 'preact/hooks';
import type { Credential } from '../api/credentials';
import { IssuedToken, passwordLogin } from '../api/login-client';
import { errorText } from './format';
import { Problem } from './problem';

/**
 * Asked when the service wants a credential: the built-in login (user name and password, when the
 * service offers it), or a bearer token, or an API key. Nothing is stored beyond this tab's sessionStorage.
 */
export function LoginScreen(props: {
  readonly loginEnabled: boolean;
  readonly rejected: boolean;
  readonly onCredential: (credential: Credential, expiresIn?: number) => void;
}) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [secret, setSecret] = useState('');
  const [kind, setKind] = useState<'token' | 'api_key'>('api_key');
  const [problem, setProblem] = useState<string | undefined>(props.rejected ? 'The service did not accept the credential. Enter another one.' : undefined);
  const [busy, setBusy] = useState(false);

  const login = async (): Promise<void> => {
    setBusy(true);
    try {
      const issued: IssuedToken = await passwordLogin(username, password);
      props.onCredential(issued.credential, issued.expiresIn);
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" data-testid="login">
      <h1>Sign in to the CodeLab console</h1>
      <p class="muted">This service has authentication on. Your credential stays in this browser tab only.</p>
      <Problem text={problem} testId="login-problem" />
      {props.loginEnabled && (
        <form
          class="panel stack"
          data-testid="password-login"
          onSubmit={(e) => {
            e.preventDefault();
            void login();
          }}
        >
          <h2>User name and password</h2>
          <label>
            User name
            <input autocomplete="username" data-testid="login-username" value={username} onInput={(e) => setUsername(e.currentTarget.value)} required />
          </label>
          <label>
            Password
            <input type="password" autocomplete="current-password" data-testid="login-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} required />
          </label>
          <button class="primary" type="submit" disabled={busy} data-testid="login-submit">
            Sign in
          </button>
        </form>
      )}
      <form
        class="panel stack"
        data-testid="secret-login"
        onSubmit={(e) => {
          e.preventDefault();
          const value = secret.trim();
          if (value) props.onCredential(kind === 'token' ? { kind: 'token', token: value } : { kind: 'api_key', key: value });
        }}
      >
        <h2>{props.loginEnabled ? 'Or use a token or API key' : 'Token or API key'}</h2>
        <fieldset class="row">
          <legend class="sr-only">Kind of credential</legend>
          <label>
            <input type="radio" name="kind" checked={kind === 'api_key'} onChange={() => setKind('api_key')} data-testid="kind-api-key" /> API key
          </label>
          <label>
            <input type="radio" name="kind" checked={kind === 'token'} onChange={() => setKind('token')} data-testid="kind-token" /> Bearer token (JWT)
          </label>
        </fieldset>
        <label>
          {kind === 'token' ? 'Token' : 'API key'}
          <input type="password" autocomplete="off" data-testid="secret-input" value={secret} onInput={(e) => setSecret(e.currentTarget.value)} required />
        </label>
        <button class="primary" type="submit" data-testid="secret-submit">
          Continue
        </button>
      </form>
    </main>
  );
}
