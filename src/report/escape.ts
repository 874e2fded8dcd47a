// Escaping for the shared HTML page: every string that comes from inputs goes through one of these before it reaches markup or inlined script text.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value → HTML with & < > " ' escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON safe to inline in a <script> element: `<`, `>` and `&` become \u escapes (so no `</script>` or `<!--` can close or
 * confuse the element), as do U+2028/U+2029. JSON.parse of the text gives back exactly the original value.
 */
export function inlineJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A library's JavaScript made safe to inline: any `</script` inside it (strings, regexes, comments) is broken as `<\/script`, which means the same there. */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}
