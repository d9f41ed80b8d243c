/**
 * Go's scalar text syntax for booleans and integers, as the original read its flags and environment variables
 * (`strconv.ParseBool` and `strconv.ParseInt(s, 0, …)`), so values from an existing unit file mean the same here.
 *
 * @module
 */

/** The exact spellings `strconv.ParseBool` accepts, and their values. */
const GO_BOOLS: ReadonlyMap<string, boolean> = new Map([
  ["1", true],
  ["t", true],
  ["T", true],
  ["TRUE", true],
  ["true", true],
  ["True", true],
  ["0", false],
  ["f", false],
  ["F", false],
  ["FALSE", false],
  ["false", false],
  ["False", false],
]);

/** The accepted boolean spellings, for error messages and help. */
export const GO_BOOL_FORMS = "1 t T TRUE true True 0 f F FALSE false False";

/**
 * Parses a boolean the way Go's `strconv.ParseBool` does.
 *
 * @example
 * ```ts
 * parseGoBool("T"); // true
 * parseGoBool("yes"); // undefined: not a Go boolean
 * ```
 * @returns the value, or `undefined` when the text is not one of {@link GO_BOOL_FORMS}.
 */
export function parseGoBool(text: string): boolean | undefined {
  return GO_BOOLS.get(text);
}

/**
 * Parses an integer the way Go's `strconv.ParseInt(text, 0, 64)` does: an optional sign, then `0x`/`0X` hex,
 * `0o`/`0O` or a leading `0` octal, `0b`/`0B` binary, or decimal, with `_` allowed between digits as in Go literals.
 *
 * @example
 * ```ts
 * parseGoInt("010"); // 8 (leading zero means octal, as in the original's PDNS_THREADS)
 * parseGoInt("0x10"); // 16
 * parseGoInt("1_000"); // 1000
 * parseGoInt("12abc"); // undefined
 * ```
 * @returns the value (possibly beyond the safe-integer range, which callers reject by range), or `undefined` when
 * the text is not an integer literal.
 */
export function parseGoInt(text: string): number | undefined {
  let s = text;
  let negative = false;
  if (s.length > 0 && (s[0] === "+" || s[0] === "-")) {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s.length === 0) return undefined;

  let base = 10;
  let digits = s;
  if (s[0] === "0" && s.length > 1) {
    const prefix = s[1].toLowerCase();
    if (prefix === "x") [base, digits] = [16, s.slice(2)];
    else if (prefix === "o") [base, digits] = [8, s.slice(2)];
    else if (prefix === "b") [base, digits] = [2, s.slice(2)];
    else [base, digits] = [8, s.slice(1)];
  }
  if (s.includes("_") && !underscoresOk(s)) return undefined;
  digits = digits.replaceAll("_", "");
  if (digits.length === 0) return undefined;

  let value = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = digitValue(digits.charCodeAt(i));
    if (digit >= base) return undefined;
    value = value * base + digit;
  }
  return negative ? -value : value;
}

/** Value of one ASCII digit in bases up to 16; 99 for anything else. */
function digitValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30; // 0-9
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10; // a-f
  return 99;
}

/**
 * Go's rule for `_` in integer literals (sign already removed): each underscore sits between two digits, or between
 * the base prefix and a digit.
 */
function underscoresOk(s: string): boolean {
  // The last thing seen: "^" start, "0" digit or base prefix, "_" underscore, "!" anything else.
  let saw = "^";
  let i = 0;
  let hex = false;
  if (s.length >= 2 && s[0] === "0" && "bBoOxX".includes(s[1])) {
    i = 2;
    saw = "0";
    hex = s[1] === "x" || s[1] === "X";
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= "0" && c <= "9") || (hex && /[a-fA-F]/.test(c))) {
      saw = "0";
    } else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else {
      if (saw === "_") return false;
      saw = "!";
    }
  }
  return saw !== "_";
}
