import { Inject, Injectable, Logger } from '@nestjs/common';
import { AgentType } from '../../protocol/agent-type';
import { AgentActivityService } from '../agents/agent-activity.service';
import { AGENT_CATALOG } from '../agents/agent-catalog';
import { CHAT_MODEL, ChatModel, ModelError } from '../model/chat-model';
import { AgentRouter } from '../routing/agent-router.service';

/** What a stateless turn produces: the agent that answers (after routing), then the answer's pieces. */
export type StatelessTurnEvent =
  | { readonly type: 'agent'; readonly agent: AgentType }
  | { readonly type: 'text'; readonly delta: string };

/**
 * One turn outside any session (a gRPC or MCP task without `session_id`): the orchestrator routes,
 * the agent answers the single input with its system prompt, no tools are offered and nothing is
 * stored. A model failure is thrown as a `ModelError` with a text safe to show; aborting `signal`
 * stops the model request.
 */
@Injectable()
export class StatelessTurnService {
  private readonly logger = new Logger(StatelessTurnService.name);

  constructor(
    @Inject(CHAT_MODEL) private readonly model: ChatModel,
    private readonly router: AgentRouter,
    private readonly activity: AgentActivityService,
  ) {}

  async *run(agentType: AgentType, input: string, signal: AbortSignal, label: string): AsyncGenerator<StatelessTurnEvent> {
    let agent = agentType;
    if (agent === 'orchestrator') agent = (await this.router.route(input, signal, label)).agent;
    yield { type: 'agent', agent };
    const done = this.activity.begin(agent);
    try {
      const stream = this.model.stream({
        messages: [
          { role: 'system', content: AGENT_CATALOG[agent].systemPrompt },
          { role: 'user', content: input },
        ],
        tools: [],
        signal,
      });
      for await (const event of stream) {
        if (event.type === 'text' && event.delta.length > 0) yield { type: 'text', delta: event.delta };
      }
    } catch (error) {
      if (signal.aborted || error instanceof ModelError) throw error;
      this.logger.warn(`task=${label} agent=${agent} model failed: ${(error as Error).message}`);
      throw new ModelError('Model request failed');
    } finally {
      done();
    }
  }
}
