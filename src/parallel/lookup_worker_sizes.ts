/**
 * The lookup worker's output sizes, shared by both sides of `-numprocs` (the worker module itself cannot be imported
 * by the main thread: loading it installs the worker's message handler).
 *
 * @module
 */

/**
 * Records are sent (or written to stdout) once this many bytes are waiting (and at each capture batch end): an eighth
 * of the inline path's batch, as the worker's isolate already costs about 16 MB (issue 13's memory bound); 512 KiB
 * writes still cost little (about 1 200 on the 1M-pair file).
 */
export const WORKER_OUTPUT_BYTES = 512 << 10;
/** An output slot's size: the threshold and room for the lookup that crosses it (RecordBuffer grows past it). */
export const OUTPUT_SLOT_BYTES = WORKER_OUTPUT_BYTES + (WORKER_OUTPUT_BYTES >> 2);
