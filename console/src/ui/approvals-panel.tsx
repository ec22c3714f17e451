import { useState } from 'preact/hooks';
import { isRecord } from '../api/guards';
import type { HitlDecision, JsonObject, PendingApproval } from '../api/wire';
import { formatTime, prettyJson } from './format';
import { Problem } from './problem';

type Decide = (callId: string, decision: HitlDecision, options?: { arguments?: JsonObject; feedback?: string }) => boolean;

/** Tool calls waiting for the user's decision: approve, edit the arguments (JSON) and approve, or reject with a reason. */
export function ApprovalsPanel(props: { readonly approvals: readonly PendingApproval[]; readonly onDecide: Decide }) {
  if (props.approvals.length === 0) return null;
  return (
    <section class="panel approvals" aria-label="Pending approvals" data-testid="approvals">
      <h2>Waiting for your approval</h2>
      {props.approvals.map((approval) => (
        <ApprovalCard key={approval.call_id} approval={approval} onDecide={props.onDecide} />
      ))}
    </section>
  );
}

function ApprovalCard({ approval, onDecide }: { readonly approval: PendingApproval; readonly onDecide: Decide }) {
  const [mode, setMode] = useState<'view' | 'edit' | 'reject'>('view');
  const [edited, setEdited] = useState(() => prettyJson(approval.arguments));
  const [feedback, setFeedback] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const decide = (decision: HitlDecision, options?: { arguments?: JsonObject; feedback?: string }): void => {
    if (!onDecide(approval.call_id, decision, options)) setProblem('Not connected: nothing was sent.');
  };
  const submitEdit = (): void => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(edited);
    } catch (error) {
      setProblem(`The arguments are not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (!isRecord(parsed)) {
      setProblem('The arguments must be a JSON object.');
      return;
    }
    decide('edit', { arguments: parsed as JsonObject });
  };

  return (
    <article class="approval" data-testid="approval" data-call-id={approval.call_id}>
      <header>
        <span class="mono">{approval.tool_name}</span> <span class="muted">· {formatTime(approval.created_at)}</span>
      </header>
      {mode === 'edit' ? (
        <textarea aria-label="Arguments (JSON)" data-testid="edit-arguments" rows={6} value={edited} onInput={(e) => setEdited(e.currentTarget.value)} />
      ) : (
        <pre>{prettyJson(approval.arguments)}</pre>
      )}
      {mode === 'reject' && (
        <input
          aria-label="Reason (optional)"
          data-testid="reject-feedback"
          placeholder="Reason (optional)"
          value={feedback}
          onInput={(e) => setFeedback(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && decide('reject', { feedback })}
        />
      )}
      <div class="row">
        {mode === 'view' && (
          <>
            <button class="primary" data-testid="approve" onClick={() => decide('approve')}>
              Approve
            </button>
            <button data-testid="edit" onClick={() => setMode('edit')}>
              Edit…
            </button>
            <button class="danger" data-testid="reject" onClick={() => setMode('reject')}>
              Reject…
            </button>
          </>
        )}
        {mode === 'edit' && (
          <>
            <button class="primary" data-testid="approve-edited" onClick={submitEdit}>
              Approve with these arguments
            </button>
            <button onClick={() => setMode('view')}>Back</button>
          </>
        )}
        {mode === 'reject' && (
          <>
            <button class="danger" data-testid="confirm-reject" onClick={() => decide('reject', { feedback })}>
              Reject
            </button>
            <button onClick={() => setMode('view')}>Back</button>
          </>
        )}
      </div>
      <Problem text={problem} />
    </article>
  );
}
