import { BUILT_IN_AGENT_IDS, echoOutput, echoWords } from '../echo-agent';
import { RemoteAgent, registrationProblem } from './remote-agent';

const agent = (overrides: Partial<RemoteAgent> = {}): RemoteAgent => ({
  agentId: 'translator',
  name: 'Translator',
  description: '',
  capabilities: [],
  endpoint: 'agents.internal:50051',
  detailedDescription: '',
  howItWorks: '',
  returnFormat: '',
  useCases: [],
  version: '',
  ...overrides,
});

describe(registrationProblem.name, () => {
  it.each(['agents.internal:50051', '10.0.0.5:1', '[::1]:50051', 'localhost:65535'])('accepts the endpoint %s', (endpoint) => {
    expect(registrationProblem(agent({ endpoint }), BUILT_IN_AGENT_IDS)).toBeNull();
  });

  it.each([
    [{ agentId: 'orchestrator' }, 'built-in'],
    [{ agentId: 'echo-agent' }, 'built-in'],
    [{ agentId: '' }, 'agent_id must be'],
    [{ agentId: 'has space' }, 'agent_id must be'],
    [{ endpoint: 'host' }, 'endpoint must be host:port'],
    [{ endpoint: 'host:0' }, 'endpoint must be host:port'],
    [{ endpoint: 'grpc://host:1' }, 'endpoint must be host:port'],
    [{ capabilities: Array.from({ length: 101 }, (_, i) => `c${i}`) }, 'at most 100 entries'],
    [{ description: 'x'.repeat(10_001) }, 'at most 10000 characters'],
  ])('refuses %j', (overrides, reason) => {
    expect(registrationProblem(agent(overrides), BUILT_IN_AGENT_IDS)).toContain(reason);
  });
});

describe('echo agent', () => {
  it('answers with the input and, when given, the parameters in order', () => {
    expect(echoOutput('hi', {})).toBe('Echo Agent Response: hi');
    expect(echoOutput('hi', { k: 'v', k2: 'v2' })).toBe('Echo Agent Response: hi | Parameters: k=v, k2=v2');
  });

  it('streams the input word by word', () => {
    expect(echoWords('  one two\tthree ')).toEqual(['one', 'two', 'three']);
  });
});
