import { approvalsFor, prepareToolCalls, refusalAnswers, toAwaiting, toolAnswerContent, toToolCallSpecs } from './tool-calls';

describe(prepareToolCalls.name, () => {
  it('gives every call a fresh id and keeps the parsed arguments', () => {
    const [a, b] = prepareToolCalls('coder', [
      { id: 'call_0', name: 'read_file', arguments: '{"path":"a.ts"}' },
      { id: 'call_0', name: 'list_files', arguments: '' },
    ]);
    expect(a?.callId).toMatch(/^call_[0-9a-f]{24}$/);
    expect(b?.callId).not.toBe(a?.callId);
    expect(a).toMatchObject({ toolName: 'read_file', arguments: { path: 'a.ts' }, refusal: null });
    expect(b?.arguments).toEqual({});
    expect(b?.refusal).toMatch(/invalid arguments for "list_files": arguments must have required property 'path'/);
  });

  it('refuses tools the agent may not use, architect writes outside *.md, and non-object arguments', () => {
    expect(prepareToolCalls('ask', [{ id: 'x', name: 'write_file', arguments: '{}' }])[0]?.refusal).toMatch(/ask agent may not use/);
    expect(prepareToolCalls('architect', [{ id: 'x', name: 'write_file', arguments: '{"path":"a.ts"}' }])[0]?.refusal).toMatch(
      /Markdown/,
    );
    expect(prepareToolCalls('architect', [{ id: 'x', name: 'write_file', arguments: '{"path":"A.MD","content":""}' }])[0]?.refusal).toBeNull();
    expect(prepareToolCalls('coder', [{ id: 'x', name: 'read_file', arguments: '"a.ts"' }])[0]?.refusal).toMatch(/invalid arguments/);
    expect(prepareToolCalls('orchestrator', [{ id: 'x', name: 'read_file', arguments: '{}' }])[0]?.refusal).toMatch(/allowed: none/);
  });

  it('refuses arguments that break the tool schema (types, required keys)', () => {
    const [call] = prepareToolCalls('coder', [{ id: 'x', name: 'read_file', arguments: '{"path":1,"start_line":"2"}' }]);
    expect(call?.refusal).toBe('The model sent invalid arguments for "read_file": path must be string; start_line must be integer');
  });

  it('answers every call of a refused batch, so the model sees an answer to each', () => {
    const calls = prepareToolCalls('debug', [
      { id: 'a', name: 'read_file', arguments: '{"path":"a"}' },
      { id: 'b', name: 'write_file', arguments: '{}' },
    ]);
    const answers = refusalAnswers(calls);
    expect(answers.map((m) => m.toolCallId)).toEqual(calls.map((c) => c.callId));
    expect(answers[0]?.content).toMatch(/^Not run: The debug agent may not use/);
    expect(answers[1]?.content).toMatch(/^Error: The debug agent may not use/);
    expect(toToolCallSpecs(calls)[1]).toEqual({
      id: calls[1]?.callId,
      type: 'function',
      function: { name: 'write_file', arguments: '{}' },
    });
  });

  it('sends the first call, marks risky ones for approval with a reason', () => {
    const awaiting = toAwaiting(
      prepareToolCalls('coder', [
        { id: 'a', name: 'execute_command', arguments: '{"command":"ls"}' },
        { id: 'b', name: 'read_file', arguments: '{"path":"x"}' },
        { id: 'c', name: 'write_file', arguments: '{"path":"y","content":""}' },
      ]),
    );
    expect(awaiting.map((c) => [c.toolName, c.sent, c.requiresApproval])).toEqual([
      ['execute_command', true, true],
      ['read_file', false, false],
      ['write_file', false, true],
    ]);
    expect(approvalsFor(awaiting).map((a) => [a.toolName, a.reason])).toEqual([
      ['execute_command', 'Command execution requires user approval'],
      ['write_file', 'File modification requires user approval'],
    ]);
  });
});

describe(toolAnswerContent.name, () => {
  it.each([
    [{ success: true }, undefined, '{"success":true}'],
    ['plain text', undefined, 'plain text'],
    [undefined, undefined, 'Tool executed successfully'],
    [null, undefined, 'Tool executed successfully'],
    [[1, 2], undefined, '[1,2]'],
    [{ ignored: true }, 'User rejected: no', 'Error: User rejected: no'],
  ])('%j with error %j → %s', (result, error, expected) => {
    expect(toolAnswerContent(result, error)).toBe(expected);
  });
});
