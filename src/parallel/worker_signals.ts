/**
 * What the lookup worker (src/parallel/lookup_worker.ts) tells the main thread through shared memory rather than
 * messages, so that thread can read it without running its event loop: in a burst it waits for the worker, blocking,
 * and hands on the worker's records meanwhile (src/parallel/remote_stage.ts `#holdBurst`). Each side wraps the same
 * buffer in its own object: the worker writes, the main thread reads.
 *
 * @module
 */

const DONE = 0;
const FAILED = 1;
/** Added to (and notified) whenever the worker changes anything here or announces a record buffer. */
const EVENTS = 2;
const PROGRESS_CELLS = 3;

/** The batches the worker has finished, whether it has failed, and a count of both and of its announcements. */
export class WorkerProgress {
  readonly #cells: Int32Array<SharedArrayBuffer>;

  constructor(readonly buffer = new SharedArrayBuffer(PROGRESS_CELLS * Int32Array.BYTES_PER_ELEMENT)) {
    this.#cells = new Int32Array(buffer);
  }

  /** Worker: a batch is read; it and the capture chunks it names may be reused. Counted before its `ack` is posted. */
  batchDone(): void {
    Atomics.add(this.#cells, DONE, 1);
    this.changed();
  }

  /** Worker: it has failed and does nothing more. */
  fail(): void {
    Atomics.store(this.#cells, FAILED, 1);
    this.changed();
  }

  /** Worker: something changed (also a record buffer announced in the RecordOrder): wakes a waiting main thread. */
  changed(): void {
    Atomics.add(this.#cells, EVENTS, 1);
    Atomics.notify(this.#cells, EVENTS);
  }

  /** Batches the worker has finished reading so far. */
  get done(): number {
    return Atomics.load(this.#cells, DONE);
  }

  get failed(): boolean {
    return Atomics.load(this.#cells, FAILED) !== 0;
  }

  /** The events so far: a value to wait past. */
  get events(): number {
    return Atomics.load(this.#cells, EVENTS);
  }

  /** Main thread: wait (blocking) until an event after `seen`, at most `ms`; false when none came. */
  waitPast(seen: number, ms: number): boolean {
    return Atomics.wait(this.#cells, EVENTS, seen, ms) !== "timed-out";
  }
}

/** Announcements the ring holds (the worker waits for room: its slots and oversized buffers outstanding). */
const RING = 16;
const ANNOUNCED = 0;
const DELIVERED = 1;
const HEAD = 2;
const FIELDS = 3;

/**
 * The order in which the worker's record buffers are to be handed to the sinks: the number announced, the number
 * delivered, then a ring of announcements `[slot, used bytes, records]` (slot -1: a buffer sent in its `records`
 * message).
 */
export class RecordOrder {
  readonly #cells: Int32Array<SharedArrayBuffer>;
  /** The announcement `next` read: its slot, bytes and records. */
  slot = 0;
  used = 0;
  count = 0;
  /** Main thread: the announcements delivered (the ring's read position). */
  #delivered = 0;

  constructor(readonly buffer = new SharedArrayBuffer((HEAD + FIELDS * RING) * Int32Array.BYTES_PER_ELEMENT)) {
    this.#cells = new Int32Array(buffer);
  }

  /** Worker: `count` records in `used` bytes of `slot` are to be delivered next, once there is room in the ring. */
  announce(slot: number, used: number, count: number): void {
    const cells = this.#cells;
    // Room in the ring: the main thread empties it in order (from its event loop or a burst's wait).
    for (;;) {
      const delivered = Atomics.load(cells, DELIVERED);
      if (Atomics.load(cells, ANNOUNCED) - delivered < RING) break;
      Atomics.wait(cells, DELIVERED, delivered);
    }
    const n = Atomics.load(cells, ANNOUNCED);
    const at = HEAD + (n % RING) * FIELDS;
    cells[at] = slot;
    cells[at + 1] = used;
    cells[at + 2] = count;
    Atomics.store(cells, ANNOUNCED, n + 1);
  }

  /** Main thread: read the next announcement not yet delivered into `slot`, `used` and `count`; false when none. */
  next(): boolean {
    const cells = this.#cells;
    if (this.#delivered >= Atomics.load(cells, ANNOUNCED)) return false;
    const at = HEAD + (this.#delivered % RING) * FIELDS;
    this.slot = cells[at];
    this.used = cells[at + 1];
    this.count = cells[at + 2];
    return true;
  }

  /** Main thread: the announcement `next` read is delivered (its room in the ring is free). */
  delivered(): void {
    this.#delivered++;
    Atomics.store(this.#cells, DELIVERED, this.#delivered);
    Atomics.notify(this.#cells, DELIVERED);
  }
}
