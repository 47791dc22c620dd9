/**
 * The one escaping function of every human-readable CLI output: card data, certificate names,
 * the SAN, token labels, reader and file names may hold terminal control sequences (set the
 * window title, clear the screen, fake a line). `--json` output is not escaped: JSON strings
 * already escape control characters.
 * @packageDocumentation
 */

/**
 * Characters shown escaped: C0 controls (U+0000–001F), DEL (U+007F), C1 controls
 * (U+0080–009F), the bidi controls (U+061C, U+200E, U+200F, U+202A–202E, U+2066–2069) and the
 * line / paragraph separators (U+2028, U+2029).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The same set without line feed and tab, for whole output texts whose lines the CLI built. */
const UNSAFE_IN_TEXT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return cp <= 0xff ? `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * `text` with every control character escaped as `\xNN` (≤ U+00FF) or `\uNNNN`.
 *
 * - `'value'` (default): for one value inside a line (a name, a label, a file name): line feeds
 *   and tabs are escaped too, so a value cannot start a line of its own.
 * - `'text'`: for a whole output the CLI assembled line by line: line feeds and tabs are kept.
 *
 * A backslash is not escaped, so `\x1B` in the output may also be the four characters of the
 * input; the output is for reading, `--json` gives the exact values.
 */
export function escapeControls(text: string, mode: 'value' | 'text' = 'value'): string {
  return text.replace(mode === 'value' ? UNSAFE : UNSAFE_IN_TEXT, escapeOne);
}
