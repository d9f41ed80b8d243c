/**
 * The contract every RDATA renderer follows.
 *
 * @module
 */

import type { MessageReader } from "../_reader.ts";

/**
 * Render the RDATA at `bytes[start..end)` in its type's presentation format. On success return the
 * text and leave `r.next` at the end of what was consumed (the caller checks it equals `end`, the
 * RDLENGTH end); return `null` when the RDATA is malformed. Never throws, never reads past `end`
 * except through compression pointers (which `readName` bounds by the message).
 */
export type RdataRenderer = (r: MessageReader, start: number, end: number) => string | null;
