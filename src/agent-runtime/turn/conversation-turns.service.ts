import { Injectable, Logger } from '@nestjs/common';
import { DomainError, DomainErrorCode, sessionNotFound } from '../../common/domain.error';
import {
  HitlDecisionFrame,
  SwitchAgentFrame,
  ToolResultFrame,
  UserMessageFrame,
} from '../../protocol/client-frames';
import { toolCallFrame } from '../../protocol/frame-builders';
import { errorFrame } from '../../protocol/server-frames';
import {
  AgentSwitchRecord,
  ApprovalDecision,
  AwaitingToolCall,
  ConversationChanges,
  ConversationState,
  NewMessage,
} from '../../session/conversation-state';
import { ConversationStore } from '../../session/conversation-store.service';
import { AgentRouter } from '../routing/agent-router.service';
import { AgentSwitcher, switchRecord } from './agent-switcher.service';
import type { RouteDecision } from '../routing/keyword-router';
import { ModelTurnService } from './model-turn.service';
import { toolCallRefusal } from './tool-arguments';
import { refusedEditAnswers, toolAnswerContent } from './tool-calls';
import { commitStep, TurnContext } from './turn-context';

const SUPERSEDED_ANSWER = 'Not run: the user sent a new message instead of answering this tool call.';

/** What each client frame does to a session (PROTOCOL §2.2–2.4, §4). Runs inside the session's queue. */
@Injectable()
export class ConversationTurns {
  private readonly logger = new Logger(ConversationTurns.name);

  constructor(
    private readonly store: ConversationStore,
    private readonly router: AgentRouter,
    private readonly switcher: AgentSwitcher,
    private readonly modelTurn: ModelTurnService,
  ) {}

  /**
   * The user message and the first agent switch it causes (asked for, or chosen by routing) are stored
   * in one commit: routing decides before anything is stored, and each `agent_switched` leaves only after
   * the commit that stores its switch. A second switch (the user asked for the orchestrator, which then
   * routes) gets a commit of its own.
   */
  async userMessage(ctx: TurnContext, frame: UserMessageFrame): Promise<void> {
    const state = await this.load(ctx.sessionId);
    const superseded = state.awaitingToolCalls;
    const stored: ConversationChanges = {
      messages: [
        ...superseded.map((c): NewMessage => ({ role: 'tool', toolCallId: c.callId, content: SUPERSEDED_ANSWER })),
        { role: 'user', content: frame.content },
      ],
      ...(superseded.length > 0
        ? {
            awaitingToolCalls: [],
            approvalDecisions: superseded
              .filter((c) => c.requiresApproval)
              .map((c) => ({ callId: c.callId, status: 'rejected', reason: 'Superseded by a new user message' })),
          }
        : {}),
    };
    const switches: AgentSwitchRecord[] = [];
    let agent = state.currentAgent;
    if (frame.agent_type && frame.agent_type !== agent) {
      switches.push(switchRecord(agent, frame.agent_type, 'User requested agent switch', 'high'));
      agent = frame.agent_type;
    }
    if (agent === 'orchestrator') {
      let decision: RouteDecision;
      try {
        decision = await this.router.route(frame.content, ctx.signal, ctx.sessionId);
      } catch (error) {
        // Stopped while routing: the message (and a switch asked for) is kept all the same.
        await this.storeWithSwitches(ctx, stored, switches);
        throw error;
      }
      switches.push(switchRecord(agent, decision.agent, decision.reason, decision.confidence));
      agent = decision.agent;
    }
    await this.storeWithSwitches(ctx, stored, switches);
    await this.modelTurn.run(ctx, agent);
  }

  /** Commits the step with the first switch; announces each switch after the commit that stores it. */
  private async storeWithSwitches(ctx: TurnContext, changes: ConversationChanges, switches: readonly AgentSwitchRecord[]): Promise<void> {
    const [first, ...rest] = switches;
    await commitStep(this.store, ctx, { ...changes, ...(first && first.from !== first.to ? { agentSwitch: first } : {}) });
    if (first) this.switcher.announce(ctx, first, false);
    for (const next of rest) {
      if (next.from !== next.to) await commitStep(this.store, ctx, { agentSwitch: next });
      this.switcher.announce(ctx, next, false);
    }
  }

  async toolResult(ctx: TurnContext, frame: ToolResultFrame): Promise<void> {
    const state = await this.load(ctx.sessionId);
    const call = this.awaiting(state, frame.call_id, `No pending tool call with call_id ${frame.call_id}`);
    const decisions: ApprovalDecision[] = call.requiresApproval
      ? [
          frame.error === undefined
            ? { callId: call.callId, status: 'approved', reason: 'The IDE ran the tool' }
            : { callId: call.callId, status: 'rejected', reason: `Rejected or failed: ${frame.error}` },
        ]
      : [];
    await this.answerAndContinue(ctx, state, call, toolAnswerContent(frame.result, frame.error), decisions);
  }

  async hitlDecision(ctx: TurnContext, frame: HitlDecisionFrame): Promise<void> {
    const state = await this.load(ctx.sessionId);
    const call = this.awaiting(state, frame.call_id, `No pending approval with call_id ${frame.call_id}`);
    if (!call.requiresApproval) {
      throw new DomainError(DomainErrorCode.NotPending, `Tool call ${frame.call_id} does not await approval`);
    }
    if (frame.decision === 'reject') {
      const feedback = frame.feedback?.trim();
      const answer = `Rejected by the user${feedback ? `: ${feedback}` : ''}`;
      await this.answerAndContinue(ctx, state, call, answer, [
        { callId: call.callId, status: 'rejected', reason: feedback || 'Rejected by the user' },
      ]);
      return;
    }
    if (frame.decision === 'edit' && !frame.modified_arguments) {
      throw new DomainError(DomainErrorCode.InvalidRequest, 'modified_arguments is required when decision is edit');
    }
    if (frame.decision === 'edit' && frame.modified_arguments) {
      const refusal = toolCallRefusal(state.currentAgent, call.toolName, frame.modified_arguments, 'edit');
      if (refusal !== null) {
        await this.refuseEdit(ctx, state, call, refusal);
        return;
      }
    }
    const args = frame.decision === 'edit' && frame.modified_arguments ? frame.modified_arguments : call.arguments;
    const approved: AwaitingToolCall = {
      ...call,
      arguments: args,
      requiresApproval: false,
      sent: true,
      edited: frame.decision === 'edit',
    };
    await commitStep(this.store, ctx, {
      awaitingToolCalls: state.awaitingToolCalls.map((c) => (c.callId === call.callId ? approved : c)),
      approvalDecisions: [
        {
          callId: call.callId,
          status: 'approved',
          reason: frame.feedback?.trim() || (frame.decision === 'edit' ? 'Approved with edits' : 'Approved by the user'),
          ...(frame.decision === 'edit' ? { arguments: args } : {}),
        },
      ],
    });
    ctx.emit(toolCallFrame(approved.callId, approved.toolName, approved.arguments, false));
  }

  async switchAgent(ctx: TurnContext, frame: SwitchAgentFrame): Promise<void> {
    const state = await this.load(ctx.sessionId);
    const reason = frame.reason?.trim() || 'User requested agent switch';
    await this.switcher.switch(ctx, state.currentAgent, frame.agent_type, reason, 'high', true);
  }

  /** Stores the tool's answer; then sends the next call of the same model answer, or lets the model go on. */
  private async answerAndContinue(
    ctx: TurnContext,
    state: ConversationState,
    call: AwaitingToolCall,
    content: string,
    approvalDecisions: ApprovalDecision[],
  ): Promise<void> {
    const remaining = state.awaitingToolCalls.filter((c) => c.callId !== call.callId);
    // The next call of the same model answer; if all are already with the IDE, remind it of the oldest.
    const next = remaining.find((c) => !c.sent) ?? remaining[0];
    const noted = call.edited ? `${content}\n(The user edited the arguments before running: ${JSON.stringify(call.arguments)})` : content;
    await commitStep(this.store, ctx, {
      messages: [{ role: 'tool', toolCallId: call.callId, content: noted }],
      awaitingToolCalls: remaining.map((c) => (c === next ? { ...c, sent: true } : c)),
      approvalDecisions,
    });
    if (next) {
      ctx.emit(toolCallFrame(next.callId, next.toolName, next.arguments, next.requiresApproval));
      return;
    }
    await this.modelTurn.run(ctx, state.currentAgent);
  }

  /**
   * An edit the agent's rules or the tool's schema refuse is answered like a forbidden model call: the
   * call (and every other call still waiting from the same model answer) gets a `tool` answer, its
   * approval is rejected, and the reply is an error. Nothing reaches the IDE.
   */
  private async refuseEdit(ctx: TurnContext, state: ConversationState, call: AwaitingToolCall, refusal: string): Promise<void> {
    const waiting = state.awaitingToolCalls;
    await commitStep(this.store, ctx, {
      messages: refusedEditAnswers(waiting, call, refusal),
      awaitingToolCalls: [],
      approvalDecisions: waiting
        .filter((c) => c.requiresApproval)
        .map((c) => ({ callId: c.callId, status: 'rejected', reason: c === call ? `Edit refused: ${refusal}` : `Not run: ${refusal}` })),
    });
    this.logger.warn(`session=${ctx.sessionId} refused an edited "${call.toolName}" call for agent ${state.currentAgent}`);
    ctx.emit(errorFrame(refusal));
  }

  private awaiting(state: ConversationState, callId: string, message: string): AwaitingToolCall {
    const call = state.awaitingToolCalls.find((c) => c.callId === callId);
    if (!call) throw new DomainError(DomainErrorCode.NotPending, message);
    return call;
  }

  private async load(sessionId: string): Promise<ConversationState> {
    const state = await this.store.load(sessionId);
    if (!state) throw sessionNotFound(sessionId);
    return state;
  }
}
