import { SessionExport } from './session-export.service';

/**
 * A readable Markdown transcript of an export: a heading with the session's facts, then one section
 * per message. Text is quoted as written; code-like parts (tool arguments, tool output) go into
 * fences longer than any backtick run inside them, so no content can break out of its block.
 */
export function toMarkdownTranscript(data: SessionExport): string {
  const { session, agentContext } = data;
  const lines: string[] = [
    `# ${oneLine(session.title ?? `Session ${session.id}`)}`,
    '',
    `- Session: \`${session.id}\``,
    `- Created: ${session.createdAt.toISOString()}; last activity: ${session.lastActivity.toISOString()}`,
    `- Current agent: ${agentContext.currentAgent}; agent switches: ${agentContext.switchCount}`,
    `- Messages: ${data.messages.length}; exported: ${data.exportedAt.toISOString()}`,
  ];
  data.messages.forEach(({ message, agent }, seq) => {
    lines.push('', '---', '');
    if (message.role === 'user') {
      lines.push(`### ${seq}. User`, '', message.content ?? '');
    } else if (message.role === 'assistant') {
      lines.push(`### ${seq}. Assistant${agent ? ` (${agent})` : ''}`);
      if (message.content) lines.push('', message.content);
      for (const call of message.tool_calls ?? []) {
        lines.push('', `Tool call \`${call.function.name}\` (\`${call.id}\`):`, '', ...fenced(prettyJson(call.function.arguments), 'json'));
      }
    } else {
      lines.push(`### ${seq}. Tool result${message.tool_call_id ? ` (\`${message.tool_call_id}\`)` : ''}`, '', ...fenced(message.content ?? '', ''));
    }
  });
  return `${lines.join('\n')}\n`;
}

function fenced(text: string, language: string): string[] {
  const longestRun = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return [`${fence}${language}`, text, fence];
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
