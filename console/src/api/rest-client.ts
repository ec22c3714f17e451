import type { CredentialStore } from './credentials';
import { checked, isAgentList, isPendingApprovals, isRecord, isSearchPage, isSessionHistory, isSessionObject, isSessionPage } from './guards';
import type { AgentInfo, ExportFormat, PendingApproval, SearchPage, SessionHistory, SessionObject, SessionPage } from './wire';

const API = '/api/v1';

/** An error answer of the API (`{"statusCode","message","error"}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/**
 * The REST API of PROTOCOL §3 and §5, as the console uses it: every call carries the user's credential;
 * a 401 tells the app to ask for a new one.
 */
export class RestClient {
  constructor(
    private readonly credentials: CredentialStore,
    private readonly onUnauthorized: () => void,
  ) {}

  async listSessions(limit: number, offset: number): Promise<SessionPage> {
    return checked(await this.json('GET', `/sessions?limit=${limit}&offset=${offset}`), isSessionPage, 'session list');
  }

  async createSession(): Promise<SessionObject> {
    return checked(await this.json('POST', '/sessions', {}), isSessionObject, 'new session');
  }

  async getSession(id: string): Promise<SessionObject> {
    return checked(await this.json('GET', `/sessions/${encodeURIComponent(id)}`), isSessionObject, 'session');
  }

  async renameSession(id: string, title: string): Promise<SessionObject> {
    return checked(await this.json('PATCH', `/sessions/${encodeURIComponent(id)}`, { title }), isSessionObject, 'renamed session');
  }

  async deleteSession(id: string): Promise<void> {
    await this.json('DELETE', `/sessions/${encodeURIComponent(id)}`);
  }

  async history(id: string): Promise<SessionHistory> {
    return checked(await this.json('GET', `/sessions/${encodeURIComponent(id)}/history`), isSessionHistory, 'history');
  }

  async pendingApprovals(id: string): Promise<readonly PendingApproval[]> {
    const body = checked(await this.json('GET', `/sessions/${encodeURIComponent(id)}/pending-approvals`), isPendingApprovals, 'pending approvals');
    return body.pending_approvals;
  }

  async agents(): Promise<readonly AgentInfo[]> {
    return checked(await this.json('GET', '/agents'), isAgentList, 'agent list').agents;
  }

  async search(query: string, limit: number, offset: number): Promise<SearchPage> {
    const params = new URLSearchParams({ q: query, limit: String(limit), offset: String(offset) });
    return checked(await this.json('GET', `/search?${params.toString()}`), isSearchPage, 'search results');
  }

  /** The export of a session as a file: its name (from Content-Disposition when given) and content. */
  async exportSession(id: string, format: ExportFormat): Promise<{ fileName: string; blob: Blob }> {
    const response = await this.send('GET', `${API}/sessions/${encodeURIComponent(id)}/export?format=${format}`);
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw await toApiError(response);
    const disposition = /filename="?([^";]+)"?/i.exec(response.headers.get('content-disposition') ?? '')?.[1];
    return { fileName: disposition ?? `session-${id}.${format === 'json' ? 'json' : 'md'}`, blob: await response.blob() };
  }

  /** Whether the current credential (or none) is accepted: false on 401. */
  async checkAccess(): Promise<boolean> {
    const response = await this.send('GET', `${API}/sessions?limit=1`);
    if (response.status === 401) return false;
    if (!response.ok) throw await toApiError(response);
    return true;
  }

  protected async json(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.send(method, `${API}${path}`, body);
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw await toApiError(response);
    if (response.status === 204) return undefined;
    return response.json();
  }

  protected async send(method: string, url: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...this.credentials.headers(), ...extraHeaders };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(0, 'The service cannot be reached');
    }
  }
}

export async function toApiError(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body: unknown = await response.json();
    if (isRecord(body)) {
      const text = body['message'] ?? body['error_description'] ?? body['error'];
      if (typeof text === 'string') message = text;
      else if (Array.isArray(text)) message = text.join('; ');
    }
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(response.status, message);
}
