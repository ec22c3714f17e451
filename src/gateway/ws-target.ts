import { isTemporarySessionId, isValidSessionId } from '../protocol/session-id';

/** What a WebSocket upgrade URL asks for. */
export interface WsTarget {
  /** The id in the URL: a session id, or a temporary `new_…` id. */
  readonly requestedId: string;
  readonly temporary: boolean;
  readonly protocol: 1 | 2;
  /** Protocol 2 resume point (`&last_seq=N`). */
  readonly lastSeq: number | undefined;
}

export type WsTargetResult =
  | {
      readonly ok: true;
      readonly target: WsTarget;
      /** The URL's whole query (a browser sends its credentials in it), parsed once. */
      readonly query: URLSearchParams;
    }
  | { readonly ok: false; readonly status: 400 | 404; readonly message: string };

const WS_PATH = /^\/(?:api\/v1\/)?ws\/([^/]*)\/?$/;

/** Routes `/ws/{id}` and `/api/v1/ws/{id}` and checks the id and query before any socket is opened. */
export function parseWsTarget(rawUrl: string | undefined): WsTargetResult {
  const url = new URL(rawUrl ?? '/', 'http://localhost');
  const match = WS_PATH.exec(url.pathname);
  if (!match) return { ok: false, status: 404, message: 'Not Found' };
  let id: string;
  try {
    id = decodeURIComponent(match[1] ?? '');
  } catch {
    return { ok: false, status: 400, message: 'Invalid session id encoding' };
  }
  if (!isValidSessionId(id)) {
    return { ok: false, status: 400, message: 'Invalid session id: must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' };
  }
  const protocolParam = url.searchParams.get('protocol');
  if (protocolParam !== null && protocolParam !== '1' && protocolParam !== '2') {
    return { ok: false, status: 400, message: 'Invalid protocol: must be 1 or 2' };
  }
  const lastSeqParam = url.searchParams.get('last_seq');
  if (lastSeqParam !== null && !/^\d{1,15}$/.test(lastSeqParam)) {
    return { ok: false, status: 400, message: 'Invalid last_seq: must be a non-negative integer' };
  }
  return {
    ok: true,
    query: url.searchParams,
    target: {
      requestedId: id,
      temporary: isTemporarySessionId(id),
      protocol: protocolParam === '2' ? 2 : 1,
      lastSeq: lastSeqParam === null ? undefined : Number(lastSeqParam),
    },
  };
}
