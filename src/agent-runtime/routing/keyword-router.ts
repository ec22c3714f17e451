import type { AgentType } from '../../protocol/agent-type';

export interface RouteDecision {
  readonly agent: Exclude<AgentType, 'orchestrator'>;
  readonly reason: string;
  readonly confidence: 'high' | 'medium' | 'low';
}

/** Checked in this order (PROTOCOL §4); the first rule with a matching keyword wins. */
const RULES: readonly { agent: RouteDecision['agent']; keywords: readonly string[] }[] = [
  { agent: 'coder', keywords: ['create', 'write', 'implement', 'fix', 'code', 'refactor'] },
  { agent: 'architect', keywords: ['design', 'architecture', 'plan', 'spec'] },
  { agent: 'debug', keywords: ['debug', 'error', 'bug', 'crash', 'investigate'] },
  { agent: 'ask', keywords: ['explain', 'what is', 'how does', 'help'] },
];

const matchers = RULES.map((rule) => ({
  agent: rule.agent,
  patterns: rule.keywords.map((k) => ({ keyword: k, regex: new RegExp(`\\b${k.replace(/ /g, '\\s+')}`, 'i') })),
}));

/** Keyword classification: the offline router, and the fallback when model classification fails. */
export function routeByKeywords(text: string): RouteDecision {
  for (const { agent, patterns } of matchers) {
    const hit = patterns.find((p) => p.regex.test(text));
    if (hit) return { agent, reason: `Keyword match: "${hit.keyword}"`, confidence: 'medium' };
  }
  return { agent: 'coder', reason: 'No keyword matched; coder is the default', confidence: 'low' };
}
