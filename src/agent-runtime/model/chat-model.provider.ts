import { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { Metrics } from '../../metrics/metrics.service';
import { CHAT_MODEL, ChatModel } from './chat-model';
import { EchoChatModel } from './echo-chat-model';
import { MeteredChatModel } from './metered-chat-model';
import { OpenAiChatModel } from './openai-chat-model';
import { ResilientChatModel } from './resilient-chat-model';

/**
 * Chooses the model provider from `LLM_PROVIDER`; a remote one gets the idle timeout and circuit
 * breaker. Every provider is metered.
 */
export const chatModelProvider: Provider = {
  provide: CHAT_MODEL,
  inject: [APP_CONFIG, Metrics],
  useFactory: (config: AppConfig, metrics: Metrics): ChatModel => new MeteredChatModel(chooseModel(config), metrics),
};

function chooseModel(config: AppConfig): ChatModel {
  switch (config.llm.provider) {
    case 'echo':
      return new EchoChatModel(config.llm.echoTokens);
    case 'openai':
      return new ResilientChatModel(new OpenAiChatModel(config.llm), {
        idleTimeoutMs: config.llm.streamIdleTimeoutMs,
        breakerThreshold: config.llm.breakerThreshold,
        breakerCooldownMs: config.llm.breakerCooldownMs,
      });
  }
}
