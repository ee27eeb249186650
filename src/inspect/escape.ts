// Pure: text and data made safe to place in an HTML page. Every piece of run,
// packet or worker text goes through one of these before it reaches markup.

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for an HTML (or SVG) text node or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch] ?? ch);
}

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` are
 * written as `\u003c` etc., so no `</script>` or `<!--` can end or change the
 * block, and U+2028 / U+2029 are escaped too. `JSON.parse` of the text gives
 * back the same value.
 */
export function jsonForScript(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new Error('jsonForScript: the value is not JSON-serializable');
  return text.replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
