import { isJsonObject, JsonObject, JsonValue } from '../../src/protocol/json';
import type { ToolCallFrame } from '../../src/protocol/server-frames';
import type { ClientFrame } from './frames';
import type { LineInput } from './input';
import { compact, Printer } from './render';
import type { LocalTools } from './tools';

export interface ToolAnswerDeps {
  readonly input: LineInput;
  readonly printer: Printer;
  readonly tools: LocalTools;
  readonly send: (frame: ClientFrame) => void;
  /** Answer without asking and without running anything (a simulated result). */
  readonly autoApprove: boolean;
}

/**
 * Answers `tool_call` frames: asks the user (run / reject / edit), runs the tool locally and sends
 * `tool_result`, or a rejection (`error: "User rejected: …"`), or `hitl_decision: edit`.
 */
export class ToolCallAnswers {
  /** Calls answered with `hitl_decision: edit`: when the service sends them again, they run without asking. */
  private readonly editedCalls = new Set<string>();

  constructor(private readonly deps: ToolAnswerDeps) {}

  async answer(call: ToolCallFrame): Promise<void> {
    if (this.editedCalls.delete(call.call_id)) return this.runTool(call);
    if (this.deps.autoApprove) {
      const response = `Auto-approved ${call.tool_name} with args ${JSON.stringify(call.arguments)}; nothing was run locally`;
      this.deps.printer.line(`[tool] ${response}`);
      this.sendResult(call, { result: { success: true, simulated: true, response } });
      return;
    }
    const question = call.requires_approval ? '[a]pprove and run / [r]eject / [e]dit? ' : '[a] run / [r]eject? ';
    for (;;) {
      const event = await this.deps.input.read(question, { always: true });
      if (event.kind === 'eof') return this.reject(call, 'no answer (input ended)');
      if (event.kind === 'interrupt') return this.reject(call, 'interrupted with Ctrl-C');
      const [word = '', ...rest] = event.text.trim().split(/\s+/);
      const detail = rest.join(' ');
      switch (word.toLowerCase()) {
        case 'a':
        case 'approve':
        case 'run':
        case 'y':
        case 'yes':
          return this.runTool(call);
        case 'r':
        case 'reject':
        case 'n':
        case 'no':
          return this.reject(call, detail || 'rejected in the terminal client');
        case 'e':
        case 'edit':
          if (call.requires_approval) {
            const edited = await this.editedArguments(call, detail);
            if (edited) {
              this.editedCalls.add(call.call_id);
              this.deps.send({ type: 'hitl_decision', call_id: call.call_id, decision: 'edit', modified_arguments: edited });
              return;
            }
            continue;
          }
          break;
      }
      this.deps.printer.line(call.requires_approval ? 'answer a, r [reason] or e [json]' : 'answer a or r [reason]');
    }
  }

  private async editedArguments(call: ToolCallFrame, inline: string): Promise<JsonObject | null> {
    let raw = inline;
    if (raw === '') {
      const event = await this.deps.input.read('arguments (JSON object): ', {
        always: true,
        prefill: JSON.stringify(call.arguments),
      });
      if (event.kind !== 'line') return null;
      raw = event.text;
    }
    try {
      const value: unknown = JSON.parse(raw);
      if (isJsonObject(value)) return value;
    } catch {
      // Reported below.
    }
    this.deps.printer.line('[tool] the arguments must be a JSON object');
    return null;
  }

  private async runTool(call: ToolCallFrame): Promise<void> {
    try {
      const result = await this.deps.tools.run(call.tool_name, call.arguments);
      this.deps.printer.line(`[tool] result: ${compact(result, 300)}`);
      this.sendResult(call, { result });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.deps.printer.line(`[tool] failed: ${message}`);
      this.sendResult(call, { error: message });
    }
  }

  private reject(call: ToolCallFrame, reason: string): void {
    this.deps.printer.line(`[tool] rejected: ${reason}`);
    this.sendResult(call, { error: `User rejected: ${reason}` });
  }

  private sendResult(call: ToolCallFrame, answer: { result: JsonValue } | { error: string }): void {
    this.deps.send({ type: 'tool_result', call_id: call.call_id, tool_name: call.tool_name, ...answer });
  }
}
