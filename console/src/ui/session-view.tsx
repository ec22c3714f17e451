import { useEffect, useState } from 'preact/hooks';
import type { CredentialStore } from '../api/credentials';
import type { RestClient } from '../api/rest-client';
import type { AgentInfo, SessionObject } from '../api/wire';
import { useSessionLive } from '../live/use-session-live';
import { TranscriptItem, visibleItems } from '../live/transcript';
import { hrefOf } from '../router';
import { ApprovalsPanel } from './approvals-panel';
import { Composer } from './composer';
import { errorText } from './format';
import { Problem } from './problem';
import { StatusBar } from './status-bar';
import { ToolAnswerPanel } from './tool-answer-panel';
import { TranscriptView } from './transcript-view';

type ToolCallItem = Extract<TranscriptItem, { kind: 'tool_call' }>;

/** One session: its history, the live turn, approvals, the message box and the status area. */
export function SessionView(props: {
  readonly id: string;
  readonly highlight?: number;
  readonly api: RestClient;
  readonly credentials: CredentialStore;
  readonly agents: readonly AgentInfo[];
}) {
  const live = useSessionLive(props.id, props.api, props.credentials);
  const [session, setSession] = useState<SessionObject | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);

  useEffect(() => {
    let alive = true;
    props.api.getSession(props.id).then(
      (s) => alive && setSession(s),
      (error: unknown) => alive && setProblem(errorText(error)),
    );
    return () => {
      alive = false;
    };
  }, [props.id, props.api, live.transcript.stored.length]);

  const items = visibleItems(live.transcript);
  const pending = new Set(live.approvals.map((a) => a.call_id));
  // A call shows up twice for a moment (stored, and live until the next history load): keep the newest.
  const openCalls = [
    ...new Map(
      items
        .filter((i): i is ToolCallItem => i.kind === 'tool_call' && i.result === undefined && !pending.has(i.callId) && !i.requiresApproval)
        .map((i) => [i.callId, i]),
    ).values(),
  ];

  return (
    <main class="session-view">
      <div class="session-head">
        <a href={hrefOf({ screen: 'sessions', page: 1 })} class="back">
          ← Sessions
        </a>
        <h1 data-testid="session-title">{session?.title ?? 'Untitled session'}</h1>
        <span class="muted mono small">{props.id}</span>
      </div>
      <StatusBar connection={live.connection} state={live.state} agent={live.currentAgent} />
      <Problem text={problem ?? live.loadError} />
      <TranscriptView items={items} highlight={props.highlight} pending={pending} />
      <ApprovalsPanel approvals={live.approvals} onDecide={live.decide} />
      <ToolAnswerPanel calls={openCalls} onAnswer={live.answerTool} />
      <Composer agents={props.agents} state={live.state} connected={live.connection.state === 'open'} onSend={live.send} onCancel={live.cancel} />
    </main>
  );
}
