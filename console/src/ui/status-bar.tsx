import type { AgentType, SessionState } from '../api/wire';
import type { ConnectionInfo } from '../live/session-socket';

const CONNECTION_TEXT: Record<ConnectionInfo['state'], string> = {
  connecting: 'connecting…',
  open: 'connected',
  reconnecting: 'reconnecting…',
  closed: 'closed',
};

const STATE_TEXT: Record<SessionState, string> = {
  idle: 'idle',
  running: 'running',
  awaiting_tool: 'waiting for a tool result',
  awaiting_approval: 'waiting for approval',
};

/** Connection state, session state, agent, last_seq and the last resume, announced politely to screen readers. */
export function StatusBar(props: { readonly connection: ConnectionInfo; readonly state: SessionState; readonly agent: AgentType | undefined }) {
  const { connection, state, agent } = props;
  return (
    <div class="status-bar" role="status" aria-live="polite" data-testid="status">
      <span class={`pill conn-${connection.state}`} data-testid="connection-state">
        {CONNECTION_TEXT[connection.state]}
        {connection.state === 'reconnecting' && connection.attempt > 1 ? ` (try ${connection.attempt})` : ''}
      </span>
      <span class={`pill state-${state}`} data-testid="session-state">{STATE_TEXT[state]}</span>
      {agent && <span class="pill">agent: {agent}</span>}
      <span class="pill mono" data-testid="last-seq">last_seq {connection.lastSeq ?? '–'}</span>
      {connection.resumedFrom !== undefined && (
        <span class="pill" data-testid="resumed">
          resumed after seq {connection.resumedFrom} ({connection.replayed} missed frame{connection.replayed === 1 ? '' : 's'} replayed)
        </span>
      )}
      {connection.closedReason && connection.state === 'closed' && <span class="pill warn">{connection.closedReason}</span>}
    </div>
  );
}
