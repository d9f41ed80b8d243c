import type { Transaction } from "../correlate/transaction.ts";
import type { RecordBuffer } from "./record_buffer.ts";

/**
 * An output format: turns one transaction into zero or more records, each written into `out` and ended with
 * `out.endLine()` (or written whole with `out.line`). Returns how many it wrote.
 */
export interface RecordFormat {
  write(transaction: Transaction, out: RecordBuffer): number;
}
