import { useMemo } from 'preact/hooks';
import { renderMarkdown } from '../markdown';

/** Model text as sanitized Markdown (see markdown.ts); the only place the console sets HTML. */
export function MarkdownView({ text }: { readonly text: string }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  return <div class="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
