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
  patterns: rule.keywords.map((k) => ({ keyword: k, regex: keywordPattern(k) })),
}));

/**
 * A whole word or phrase, with the usual English endings: "fixed", "crashes", "designing", "coding",
 * "specification", "debugging" match; "prefix" or "special" do not.
 */
function keywordPattern(keyword: string): RegExp {
  const phrase = keyword.replace(/ /g, '\\s+');
  const body = keyword.endsWith('e')
    ? `${phrase.slice(0, -1)}(?:e|es|ed|ing|er|ers)`
    : `${phrase}(?:s|es|ed|ing|er|ers|ged|ging|ification|ifications)?`;
  return new RegExp(`\\b${body}\\b`, 'i');
}

/** Keyword classification: the offline router, and the fallback when model classification fails. */
export function routeByKeywords(text: string): RouteDecision {
  for (const { agent, patterns } of matchers) {
    const hit = patterns.find((p) => p.regex.test(text));
    if (hit) return { agent, reason: `Keyword match: "${hit.keyword}"`, confidence: 'medium' };
  }
  return { agent: 'coder', reason: 'No keyword matched; coder is the default', confidence: 'low' };
}
