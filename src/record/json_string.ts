/** JSON string literals, with a fast path for the common case of plain printable ASCII. */

// Anything JSON must escape, plus everything outside printable ASCII (escaped so output is pure ASCII and
// byte-identical whatever the terminal or pipeline encoding).
// deno-lint-ignore no-control-regex -- control characters are exactly what must be found
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u007f-\uffff]/;

/** `"text"` as a JSON string literal. */
export function jsonString(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return '"' + text + '"';
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x22) out += '\\"';
    else if (code === 0x5c) out += "\\\\";
    else if (code === 0x0a) out += "\\n";
    else if (code === 0x0d) out += "\\r";
    else if (code === 0x09) out += "\\t";
    else if (code < 0x20 || code >= 0x7f) out += "\\u" + code.toString(16).padStart(4, "0");
    else out += text[i];
  }
  return out + '"';
}
