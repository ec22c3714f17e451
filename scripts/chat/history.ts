import { isJsonObject, JsonValue } from '../../src/protocol/json';
import { compact } from './render';
import { rest } from './rest';

/** The session's stored history (`GET /api/v1/sessions/{id}/history`) as short lines to print. */
export async function historyLines(
  httpUrl: string,
  sessionId: string,
  headers: Readonly<Record<string, string>>,
): Promise<string[]> {
  const result = await rest(`${httpUrl}/api/v1/sessions/${encodeURIComponent(sessionId)}/history`, headers);
  return result.ok ? formatHistory(result.body) : [`[history] ${result.error}`];
}

/** A history response as short lines. */
function formatHistory(body: JsonValue): string[] {
  if (!isJsonObject(body) || !Array.isArray(body['messages'])) return [`unexpected answer: ${compact(body)}`];
  const lines = [
    `--- history of ${compact(body['session_id'])}: ${compact(body['message_count'])} messages, ` +
      `current agent ${compact(body['current_agent'])} ---`,
  ];
  for (const message of body['messages']) {
    if (!isJsonObject(message)) continue;
    const role = compact(message['role']);
    const calls = message['tool_calls'];
    if (role === 'tool') {
      lines.push(`  tool [${compact(message['tool_call_id'])}]: ${compact(message['content'])}`);
    } else if (Array.isArray(calls) && calls.length > 0) {
      const content = message['content'];
      if (typeof content === 'string' && content !== '') lines.push(`  ${role}: ${compact(content)}`);
      for (const call of calls) {
        const fn = isJsonObject(call) && isJsonObject(call['function']) ? call['function'] : {};
        const id = isJsonObject(call) ? compact(call['id']) : '?';
        lines.push(`  ${role} → ${compact(fn['name'])} ${compact(fn['arguments'], 120)} [${id}]`);
      }
    } else {
      lines.push(`  ${role}: ${compact(message['content'])}`);
    }
  }
  const switches = body['agent_history'];
  if (Array.isArray(switches) && switches.length > 0) {
    const parts = switches.filter(isJsonObject).map((s) => `${compact(s['from'])} → ${compact(s['to'])}`);
    lines.push(`  agent switches: ${parts.join(', ')}`);
  }
  return lines;
}
