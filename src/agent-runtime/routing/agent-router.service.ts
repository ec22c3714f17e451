import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { isAgentType } from '../../protocol/agent-type';
import { CHAT_MODEL, ChatModel } from '../model/chat-model';
import { RouteDecision, routeByKeywords } from './keyword-router';

const CLASSIFY_PROMPT = [
  'You route a developer request to one specialist agent.',
  'coder: write, change, fix or refactor code. architect: design, plans, specifications, documentation.',
  'debug: investigate errors, bugs and crashes. ask: explain code or answer questions.',
  'Reply with JSON only: {"agent":"coder|architect|debug|ask","confidence":"high|medium|low","reasoning":"<one sentence>"}',
].join('\n');

/** Picks the specialist for a message: the model classifies, keywords decide when it cannot. */
@Injectable()
export class AgentRouter {
  private readonly logger = new Logger(AgentRouter.name);

  constructor(
    @Inject(CHAT_MODEL) private readonly model: ChatModel,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async route(text: string, signal: AbortSignal, sessionId: string): Promise<RouteDecision> {
    if (this.config.llm.provider === 'echo') return routeByKeywords(text);
    try {
      const answer = await this.model.complete({
        messages: [
          { role: 'system', content: CLASSIFY_PROMPT },
          { role: 'user', content: text },
        ],
        signal,
      });
      const decision = parseClassification(answer);
      if (decision) return decision;
      this.logger.warn(`session=${sessionId} classification answer was not usable; using keywords`);
    } catch (error) {
      if (signal.aborted) throw error;
      this.logger.warn(`session=${sessionId} classification failed (${(error as Error).message}); using keywords`);
    }
    return routeByKeywords(text);
  }
}

/** Reads `{"agent","confidence","reasoning"}`, tolerating code fences and surrounding prose. */
export function parseClassification(answer: string): RouteDecision | null {
  const json = /\{[\s\S]*\}/.exec(answer)?.[0];
  if (!json) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { agent, confidence, reasoning } = parsed as Record<string, unknown>;
  if (!isAgentType(agent) || agent === 'orchestrator') return null;
  return {
    agent,
    confidence: confidence === 'high' || confidence === 'low' ? confidence : 'medium',
    reason: typeof reasoning === 'string' && reasoning.trim() ? reasoning.trim().slice(0, 500) : 'Model classification',
  };
}
