import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ChatMessageDto } from './history-response.dto';

/**
 * The second accepted body of `POST /imports` (the first is a json export). Documentation only: the
 * body is checked message by message by `parseImportDocument`, which names the first bad message.
 */
export class ImportMessagesDto {
  @ApiPropertyOptional({ example: 'Imported from another tool', maxLength: 200, description: 'Otherwise taken from the first user message.' })
  readonly title?: string;

  @ApiProperty({
    type: [ChatMessageDto],
    description:
      'OpenAI Chat Completions messages, oldest first: roles user, assistant (text and/or tool_calls) and tool (answering an earlier unanswered call). ' +
      'Content is a string or an array of text parts. No system messages; every tool call must be answered.',
    example: [
      { role: 'user', content: 'What does main.py do?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"main.py"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'print("hi")' },
      { role: 'assistant', content: 'It prints "hi".' },
    ],
  })
  readonly messages!: ChatMessageDto[];
}
