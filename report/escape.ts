/** Escaping for text placed in the HTML report: every value that came from data goes through one of these. */
const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(x: unknown): string {
  return String(x ?? '').replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** JSON safe inside <script type="application/json">: no "</script>", no HTML comment openers, no U+2028/9. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Third-party JS inlined in a <script> element: a literal "</script" inside it would end the element early. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}
