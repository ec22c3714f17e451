import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { CredentialStore } from '../api/credentials';
import type { RestClient } from '../api/rest-client';
import type { AgentType, HitlDecision, JsonObject, JsonValue, PendingApproval, ServerFrame, SessionState } from '../api/wire';
import { ConnectionInfo, SessionSocket } from './session-socket';
import { applyFrame, EMPTY_TRANSCRIPT, itemsFromHistory, Transcript, withHistory, withUserMessage } from './transcript';

export interface SessionLive {
  readonly transcript: Transcript;
  readonly connection: ConnectionInfo;
  readonly state: SessionState;
  readonly currentAgent: AgentType | undefined;
  readonly approvals: readonly PendingApproval[];
  readonly loadError: string | undefined;
  readonly send: (text: string, agent: AgentType | undefined) => boolean;
  readonly cancel: () => boolean;
  readonly decide: (callId: string, decision: HitlDecision, options?: { arguments?: JsonObject; feedback?: string }) => boolean;
  readonly answerTool: (callId: string, toolName: string, answer: { result: JsonValue } | { error: string }) => boolean;
}

const INITIAL_CONNECTION: ConnectionInfo = { state: 'connecting', lastSeq: undefined, attempt: 0, resumedFrom: undefined, replayed: 0, closedReason: undefined };

/** The socket URL of a session, protocol 2, with the credential in the query (browsers cannot set headers). */
export function sessionSocketUrl(sessionId: string, credentials: CredentialStore): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = new URLSearchParams({ protocol: '2', ...credentials.socketQuery() });
  return `${scheme}//${location.host}/api/v1/ws/${encodeURIComponent(sessionId)}?${query.toString()}`;
}

/**
 * One open session: a protocol-2 socket (resumed after drops), the stored history (reloaded after each
 * reply), the live frames in between, the session state and the pending approvals.
 */
export function useSessionLive(sessionId: string, api: RestClient, credentials: CredentialStore): SessionLive {
  const [transcript, setTranscript] = useState<Transcript>(EMPTY_TRANSCRIPT);
  const [connection, setConnection] = useState<ConnectionInfo>(INITIAL_CONNECTION);
  const [state, setState] = useState<SessionState>('idle');
  const [currentAgent, setCurrentAgent] = useState<AgentType | undefined>(undefined);
  const [approvals, setApprovals] = useState<readonly PendingApproval[]>([]);
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const socketRef = useRef<SessionSocket | undefined>(undefined);

  useEffect(() => {
    let alive = true;
    setTranscript(EMPTY_TRANSCRIPT);
    setApprovals([]);
    setLoadError(undefined);
    // Loads the history and approvals that include every frame up to `seq`.
    const reload = async (seq: number): Promise<void> => {
      try {
        const [history, pending] = await Promise.all([api.history(sessionId), api.pendingApprovals(sessionId)]);
        if (!alive) return;
        setTranscript((t) => withHistory(t, itemsFromHistory(history.messages, history.agent_history), seq));
        setCurrentAgent(history.current_agent);
        setApprovals(pending);
        setLoadError(undefined);
      } catch (error) {
        if (alive) setLoadError(error instanceof Error ? error.message : String(error));
      }
    };
    const onFrame = (frame: ServerFrame): void => {
      setTranscript((t) => applyFrame(t, frame));
      setState((s) => nextState(s, frame));
      if (frame.type === 'status') {
        setCurrentAgent(frame.current_agent);
        void reload(frame.last_seq);
      } else if (frame.type === 'agent_switched') {
        setCurrentAgent(frame.to_agent);
      }
      if (frame.is_final && frame.seq !== undefined) void reload(frame.seq);
    };
    const socket = new SessionSocket({
      url: () => sessionSocketUrl(sessionId, credentials),
      open: (url) => new WebSocket(url),
      onFrame,
      onInfo: (info) => alive && setConnection(info),
    });
    socketRef.current = socket;
    socket.connect();
    return () => {
      alive = false;
      socket.close('left the session');
      socketRef.current = undefined;
    };
  }, [sessionId, api, credentials]);

  const send = useCallback((text: string, agent: AgentType | undefined): boolean => {
    const socket = socketRef.current;
    const sent = socket?.send({ type: 'user_message', content: text, ...(agent ? { agent_type: agent } : {}) }) ?? false;
    if (sent && socket) {
      setTranscript((t) => withUserMessage(t, text, socket.connection.lastSeq ?? 0));
      setState('running');
    }
    return sent;
  }, []);

  const cancel = useCallback((): boolean => socketRef.current?.send({ type: 'cancel' }) ?? false, []);

  const decide = useCallback(
    (callId: string, decision: HitlDecision, options: { arguments?: JsonObject; feedback?: string } = {}): boolean => {
      const sent =
        socketRef.current?.send({
          type: 'hitl_decision',
          call_id: callId,
          decision,
          ...(options.arguments ? { modified_arguments: options.arguments } : {}),
          ...(options.feedback ? { feedback: options.feedback } : {}),
        }) ?? false;
      if (sent) setApprovals((list) => list.filter((a) => a.call_id !== callId));
      return sent;
    },
    [],
  );

  const answerTool = useCallback(
    (callId: string, toolName: string, answer: { result: JsonValue } | { error: string }): boolean =>
      socketRef.current?.send({ type: 'tool_result', call_id: callId, tool_name: toolName, ...answer }) ?? false,
    [],
  );

  return { transcript, connection, state, currentAgent, approvals, loadError, send, cancel, decide, answerTool };
}

/** The session state as the frames tell it (the `status` frame on connect is authoritative). */
export function nextState(current: SessionState, frame: ServerFrame): SessionState {
  switch (frame.type) {
    case 'status':
      return frame.state;
    case 'assistant_message':
      return frame.is_final ? 'idle' : 'running';
    case 'agent_switched':
      return frame.is_final ? current : 'running';
    case 'tool_call':
      return frame.requires_approval ? 'awaiting_approval' : 'awaiting_tool';
    case 'cancelled':
      return 'idle';
    case 'error':
      return current === 'running' ? 'idle' : current;
    case 'session_info':
      return current;
  }
}
