/**
 * What the lookup workers (src/parallel/lookup_worker.ts) tell the main thread through shared memory rather than
 * messages, so that thread can read it without running its event loop: in a burst it waits for the workers, blocking,
 * and hands on their records meanwhile (src/parallel/remote_stage.ts `#holdBurst`). Each side wraps the same buffer in
 * its own object: a worker writes, the main thread reads.
 *
 * @module
 */

/** Added to (and notified) whenever any worker changes anything here or announces a record buffer. */
const EVENTS = 0;
const DONE = 0;
const FAILED = 1;
const LANE_CELLS = 2;

/**
 * One worker's batches finished and whether it has failed, in a buffer all the run's workers share (each its own
 * cells, `lane`), with one count of every worker's events, so that the main thread waits on all of them at once.
 */
export class WorkerProgress {
  readonly #cells: Int32Array<SharedArrayBuffer>;
  readonly #at: number;

  /** A buffer for `lanes` workers. */
  static buffer(lanes: number): SharedArrayBuffer {
    return new SharedArrayBuffer((1 + lanes * LANE_CELLS) * Int32Array.BYTES_PER_ELEMENT);
  }

  constructor(readonly buffer = WorkerProgress.buffer(1), lane = 0) {
    this.#cells = new Int32Array(buffer);
    this.#at = 1 + lane * LANE_CELLS;
  }

  /** Worker: a batch is read; it and the capture chunks it names may be reused. Counted before its `ack` is posted. */
  batchDone(): void {
    Atomics.add(this.#cells, this.#at + DONE, 1);
    this.changed();
  }

  /** Worker: it has failed and does nothing more. */
  fail(): void {
    Atomics.store(this.#cells, this.#at + FAILED, 1);
    this.changed();
  }

  /** Worker: something changed (also a record buffer announced in the RecordOrder): wakes a waiting main thread. */
  changed(): void {
    Atomics.add(this.#cells, EVENTS, 1);
    Atomics.notify(this.#cells, EVENTS);
  }

  /** Batches the worker has finished reading so far. */
  get done(): number {
    return Atomics.load(this.#cells, this.#at + DONE);
  }

  get failed(): boolean {
    return Atomics.load(this.#cells, this.#at + FAILED) !== 0;
  }

  /** Every worker's events so far: a value to wait past. */
  get events(): number {
    return Atomics.load(this.#cells, EVENTS);
  }

  /** Main thread: wait (blocking) until an event of any worker after `seen`, at most `ms`; false when none came. */
  waitPast(seen: number, ms: number): boolean {
    return Atomics.wait(this.#cells, EVENTS, seen, ms) !== "timed-out";
  }
}

/**
 * The slot of an announcement that says the worker's records of a batch end here (with several workers the main
 * thread hands their records on in batch order: src/parallel/remote_stage.ts `#deliver`).
 */
export const BATCH_END = -2;

/** Announcements the ring holds (the worker waits for room: its slots and oversized buffers outstanding). */
const RING = 16;
const ANNOUNCED = 0;
const DELIVERED = 1;
const HEAD = 2;
const FIELDS = 3;

/**
 * The order in which the worker's record buffers are to be handed to the sinks: the number announced, the number
 * delivered, then a ring of announcements `[slot, used bytes, records]` (slot -1: a buffer sent in its `records`
 * message; {@linkcode BATCH_END}: with several workers, the records of the batch end here).
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

const NEXT = 0;
const GAVE_UP = 1;

/** Another worker failed (or the main thread gave up on them): this one stops, writing nothing more. */
export class TurnGivenUp extends Error {
  constructor() {
    super("another lookup worker failed");
    this.name = "TurnGivenUp";
  }
}

/**
 * With several workers writing stdout themselves: the batch whose records are written next, shared by them all. A
 * worker writes a batch's records only in its turn and passes the turn on when the batch is done, so the output is
 * in batch order, as one worker would write it. A worker that fails gives up the turns: the others stop waiting (and
 * the run ends with the failure).
 */
export class WriteTurn {
  readonly #cells: Int32Array<SharedArrayBuffer>;

  constructor(readonly buffer = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT)) {
    this.#cells = new Int32Array(buffer);
  }

  /**
   * Wait (blocking) until batch `seq` may write.
   * @throws {TurnGivenUp} when another worker has failed
   */
  waitFor(seq: number): void {
    const cells = this.#cells;
    for (;;) {
      if (Atomics.load(cells, GAVE_UP) !== 0) throw new TurnGivenUp();
      const next = Atomics.load(cells, NEXT);
      if (next === seq) return;
      Atomics.wait(cells, NEXT, next);
    }
  }

  /** Batch `seq`'s records are all written: the next batch's turn. */
  pass(seq: number): void {
    Atomics.store(this.#cells, NEXT, seq + 1);
    Atomics.notify(this.#cells, NEXT);
  }

  /** A worker failed: nobody waits for a turn any more. */
  giveUp(): void {
    Atomics.store(this.#cells, GAVE_UP, 1);
    Atomics.notify(this.#cells, NEXT);
  }
}
