// Normalisation and checks applied to every string that ends up in a canonical record:
// NFC Unicode, `\n` newlines, no lone surrogates, no control characters but tab and newline.

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** NFC-normalises `value` and turns CRLF and CR newlines into LF. */
export function normalizeText(value: string): string {
  return value.replace(/\r\n?/g, "\n").normalize("NFC");
}

/** The problem code for a string that cannot go into a record, if any. */
export function checkText(value: string): "INVALID_UNICODE" | "CONTROL_CHARACTER" | undefined {
  if (LONE_SURROGATE.test(value)) return "INVALID_UNICODE";
  if (CONTROL.test(value)) return "CONTROL_CHARACTER";
  return undefined;
}

/** True when the string has no visible content. */
export function isBlank(value: string): boolean {
  return value.trim().length === 0;
}

/** Number of bytes of `value` in UTF-8, without encoding it. */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
