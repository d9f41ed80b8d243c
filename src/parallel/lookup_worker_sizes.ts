/**
 * The lookup worker's output sizes, shared by both sides of `-numprocs` (the worker module itself cannot be imported
 * by the main thread: loading it installs the worker's message handler).
 *
 * @module
 */

/**
 * Records are sent once this many bytes are waiting (and at each capture batch end): half the inline path's batch,
 * as the buffers in flight count twice (here and on the main thread); the writes stay large enough to cost little.
 */
export const WORKER_OUTPUT_BYTES = 512 << 10;
/** An output slot's size: the threshold and room for the lookup that crosses it (RecordBuffer grows past it). */
export const OUTPUT_SLOT_BYTES = WORKER_OUTPUT_BYTES + (WORKER_OUTPUT_BYTES >> 2);
