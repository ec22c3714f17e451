import DOMPurify from 'dompurify';
import { Marked, Renderer, Tokens } from 'marked';

/**
 * Model text as safe HTML, in two layers:
 * 1. marked renders Markdown (GitHub flavour: code blocks, tables, lists) but any raw HTML in the text is
 *    escaped and shown as text, and images become links (the console loads nothing a message names);
 * 2. DOMPurify removes whatever could still run or load (scripts, handlers, `javascript:` links, styles).
 * The result is only ever put into the page through `<Markdown>`.
 */
const renderer = new Renderer();
renderer.html = ({ text }: Tokens.HTML | Tokens.Tag): string => escapeHtml(text);
renderer.image = ({ href, text }: Tokens.Image): string => `<a href="${escapeHtml(href)}">${escapeHtml(text || href)}</a>`;

const marked = new Marked({ gfm: true, breaks: true, async: false, renderer });

const PURIFY_OPTIONS = {
  ALLOWED_TAGS: [
    'a', 'b', 'blockquote', 'br', 'code', 'del', 'em', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'li', 'ol',
    'p', 'pre', 'strong', 'table', 'tbody', 'td', 'th', 'thead', 'tr', 'ul', 'input',
  ],
  ALLOWED_ATTR: ['href', 'title', 'class', 'type', 'checked', 'disabled', 'align'],
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
};

let hooked = false;

export function renderMarkdown(text: string): string {
  if (!hooked) {
    // Links open in a new tab and give the target no handle on the console.
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      if (node.tagName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer');
      }
      if (node.tagName === 'INPUT' && node.getAttribute('type') !== 'checkbox') node.remove();
    });
    hooked = true;
  }
  const html = marked.parse(text) as string;
  return DOMPurify.sanitize(html, PURIFY_OPTIONS);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
