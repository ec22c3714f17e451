import type { ConversationChanges } from '../../session/conversation-state';
import { commitStep, TurnContext } from './turn-context';

describe(commitStep.name, () => {
  const changes: ConversationChanges = { messages: [{ role: 'user', content: 'hi' }] };
  const context = (reason?: string): TurnContext => {
    const controller = new AbortController();
    if (reason !== undefined) controller.abort(reason);
    return { sessionId: 's1', signal: controller.signal, offerTools: true, emit: () => undefined };
  };

  it.each([[undefined], ['cancelled'], ['shutdown']])('commits when the turn was not stopped by a deletion (%s)', async (reason) => {
    const commit = jest.fn<Promise<void>, [string, ConversationChanges]>().mockResolvedValue(undefined);
    await commitStep({ commit }, context(reason), changes);
    expect(commit).toHaveBeenCalledWith('s1', changes);
  });

  it('never commits a step of a turn whose session was deleted (the id may be another session now)', async () => {
    const commit = jest.fn<Promise<void>, [string, ConversationChanges]>().mockResolvedValue(undefined);
    await expect(commitStep({ commit }, context('deleted'), changes)).rejects.toThrow('Session s1 not found');
    expect(commit).not.toHaveBeenCalled();
  });
});
