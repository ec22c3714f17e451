import { parseClassification } from './agent-router.service';
import { routeByKeywords } from './keyword-router';

describe(routeByKeywords.name, () => {
  it.each([
    ['Create a hello.py', 'coder'],
    ['please IMPLEMENT the parser', 'coder'],
    ['Design a cache layer', 'architect'],
    ['write the architecture spec', 'coder'],
    ['what is the plan', 'architect'],
    ['it crashes with an error', 'debug'],
    ['Explain closures', 'ask'],
    ['How   does this work?', 'ask'],
    ['hello', 'coder'],
    ['prefix words do not count: suffix', 'coder'],
    ['a special case', 'coder'],
    ['the login crashes', 'debug'],
    ['I am debugging it', 'debug'],
    ['I fixed nothing, but coding is fun', 'coder'],
    ['write a specification', 'coder'],
    ['the specification of the api', 'architect'],
    ['what is designed here', 'architect'],
  ])('%s → %s', (text, agent) => {
    expect(routeByKeywords(text).agent).toBe(agent);
  });

  it('says which keyword matched, and says so when none did', () => {
    expect(routeByKeywords('a bug here')).toEqual({ agent: 'debug', reason: 'Keyword match: "bug"', confidence: 'medium' });
    expect(routeByKeywords('nothing special')).toMatchObject({ agent: 'coder', confidence: 'low' });
  });
});

describe(parseClassification.name, () => {
  it('reads the JSON answer, also inside code fences and prose', () => {
    expect(parseClassification('```json\n{"agent":"debug","confidence":"high","reasoning":"stack trace"}\n```')).toEqual({
      agent: 'debug',
      confidence: 'high',
      reason: 'stack trace',
    });
    expect(parseClassification('Sure! {"agent":"ask"} done')).toEqual({ agent: 'ask', confidence: 'medium', reason: 'Model classification' });
  });

  it.each(['no json', '{"agent":"wizard"}', '{"agent":"orchestrator"}', '{broken', '[1]'])('rejects %s', (answer) => {
    expect(parseClassification(answer)).toBeNull();
  });
});
