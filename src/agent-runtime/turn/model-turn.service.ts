import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AgentType } from '../../protocol/agent-type';
import { assistantDeltaFrame, assistantFinalFrame, toolCallFrame } from '../../protocol/frame-builders';
import { errorFrame } from '../../protocol/server-frames';
import { TOOL_SPECS } from '../../protocol/tools';
import { ConversationStore } from '../../session/conversation-store.service';
import { AgentActivityService } from '../agents/agent-activity.service';
import { AGENT_CATALOG } from '../agents/agent-catalog';
import { CHAT_MODEL, ChatModel, ModelError, ModelToolCall } from '../model/chat-model';
import {
  approvalsFor,
  prepareToolCalls,
  refusalAnswers,
  toAwaiting,
  toToolCallSpecs,
} from './tool-calls';
import { commitStep, TurnContext } from './turn-context';

/**
 * One model step of a turn: send the agent's prompt and the recent history, stream the answer,
 * then either store the text (the turn ends) or store the tool calls and send the first one to the
 * IDE (the turn pauses). Ends every reply with exactly one final frame.
 */
@Injectable()
export class ModelTurnService {
  private readonly logger = new Logger(ModelTurnService.name);

  constructor(
    @Inject(CHAT_MODEL) private readonly model: ChatModel,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly store: ConversationStore,
    private readonly activity: AgentActivityService,
  ) {}

  async run(ctx: TurnContext, agent: AgentType): Promise<void> {
    ctx.agent = agent;
    const done = this.activity.begin(agent);
    try {
      await this.answer(ctx, agent);
    } finally {
      done();
    }
  }

  private async answer(ctx: TurnContext, agent: AgentType): Promise<void> {
    const definition = AGENT_CATALOG[agent];
    const history = await this.store.recentMessages(ctx.sessionId, this.config.llm.contextMessages);
    let text = '';
    let calls: readonly ModelToolCall[] = [];
    const started = Date.now();
    try {
      for await (const event of this.model.stream({
        messages: [{ role: 'system', content: definition.systemPrompt }, ...history],
        tools: ctx.offerTools ? definition.allowedTools.map((name) => TOOL_SPECS[name]) : [],
        signal: ctx.signal,
      })) {
        if (event.type === 'text') {
          if (event.delta.length === 0) continue;
          text += event.delta;
          ctx.emit(assistantDeltaFrame(event.delta));
        } else {
          calls = event.calls;
        }
      }
    } catch (error) {
      if (ctx.signal.aborted) throw new TurnAborted(text, agent);
      const message = error instanceof ModelError ? error.message : 'Model request failed';
      this.logger.warn(`session=${ctx.sessionId} agent=${agent} model failed: ${(error as Error).message}`);
      ctx.emit(errorFrame(message));
      return;
    }
    this.logger.debug(
      `session=${ctx.sessionId} agent=${agent} model answered in ${Date.now() - started} ms (${text.length} chars, ${calls.length} tool calls)`,
    );
    if (calls.length > 0 && !ctx.offerTools) {
      // No tools were offered (no IDE is attached), so a call cannot be run: keep the text answer.
      this.logger.warn(`session=${ctx.sessionId} agent=${agent} ignored ${calls.length} tool call(s) of a turn without tools`);
      calls = [];
    }
    if (calls.length === 0) {
      await commitStep(this.store, ctx, { messages: [{ role: 'assistant', content: text, agent }] });
      ctx.emit(assistantFinalFrame(text));
      return;
    }
    await this.pauseForTools(ctx, agent, text, calls);
  }

  private async pauseForTools(
    ctx: TurnContext,
    agent: AgentType,
    text: string,
    calls: readonly ModelToolCall[],
  ): Promise<void> {
    const prepared = prepareToolCalls(agent, calls);
    const assistant = { role: 'assistant' as const, content: text, toolCalls: toToolCallSpecs(prepared), agent };
    const refused = prepared.find((c) => c.refusal !== null);
    if (refused?.refusal) {
      await commitStep(this.store, ctx, { messages: [assistant, ...refusalAnswers(prepared)] });
      this.logger.warn(`session=${ctx.sessionId} refused tool "${refused.toolName}" for agent ${agent}`);
      ctx.emit(errorFrame(refused.refusal));
      return;
    }
    const awaiting = toAwaiting(prepared);
    await commitStep(this.store, ctx, {
      messages: [assistant],
      awaitingToolCalls: awaiting,
      newApprovals: approvalsFor(awaiting),
    });
    const first = awaiting[0];
    if (first) ctx.emit(toolCallFrame(first.callId, first.toolName, first.arguments, first.requiresApproval));
  }
}

/** Thrown when the turn's signal fired mid-answer; carries what the model produced so far. */
export class TurnAborted extends Error {
  constructor(
    readonly partialText: string,
    readonly agent: AgentType,
  ) {
    super('The turn was stopped');
    this.name = 'TurnAborted';
  }
}
