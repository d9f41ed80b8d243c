import type { Transaction } from "../correlate/transaction.ts";

/** Where encoded records go: one JSON text per call, without the newline. */
export type LineWriter = (line: string) => void;

/** An output format: turns one transaction into zero or more records. Returns how many it wrote. */
export interface RecordFormat {
  write(transaction: Transaction, out: LineWriter): number;
}
