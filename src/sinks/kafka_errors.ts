/**
 * Which Kafka produce errors are permanent: retrying the same records can never succeed, so the Kafka sink counts
 * them as failed at once instead of retrying them until the close deadline (and, meanwhile, re-sending the records of
 * the same request that the broker did accept, as duplicates).
 *
 * A produce response carries one error code per partition; the broker rejects a partition's whole record batch. The
 * library (`@platformatic/kafka`) throws a `ResponseError` per destination broker, with the response (every
 * partition's code) and one `ProtocolError` per failed partition, gathered in a `MultipleErrors`.
 *
 * @module
 */

/** Errors of one record (or its batch): the other records of the batch may go through on their own. */
const RECORD_ERRORS = new Set([
  "MESSAGE_TOO_LARGE", // larger than the topic's max.message.bytes
  "RECORD_LIST_TOO_LARGE",
  "INVALID_RECORD", // e.g. a compacted topic and a record without key
  "INVALID_TIMESTAMP",
]);

/** Errors of the topic or the client: no record of the topic can be delivered. */
const TOPIC_ERRORS = new Set([
  "TOPIC_AUTHORIZATION_FAILED",
  "CLUSTER_AUTHORIZATION_FAILED",
  "INVALID_TOPIC_EXCEPTION",
  "UNSUPPORTED_FOR_MESSAGE_FORMAT",
  "INVALID_REQUIRED_ACKS",
]);

/** What a permanent failure of one produce request leaves to do. */
export interface PermanentFailure {
  /** `record`: resend the failed partitions' records one at a time; `topic`: none of them can be delivered. */
  readonly kind: "record" | "topic";
  /** `topic:partition` of every partition the broker rejected, or null when the error did not say (all failed). */
  readonly partitions: Set<string> | null;
  /** The broker's error names, for the one report. */
  readonly reason: string;
}

interface ErrorLike {
  code?: unknown;
  apiId?: unknown;
  errors?: unknown[];
  response?: { responses?: { name: string; partitionResponses?: { index: number; errorCode: number }[] }[] };
}

/**
 * The permanent failure `error` describes, or null when any part of it may be transient (network, leader change,
 * timeout, an unknown topic that may yet be created): then the whole request is retried.
 */
export function permanentFailure(error: unknown): PermanentFailure | null {
  const names = new Set<string>();
  const partitions = new Set<string>();
  let partitionsKnown = false;
  let transient = false;
  const walk = (node: unknown): void => {
    if (node === null || node === undefined || typeof node !== "object") return; // a gap in MultipleErrors.errors
    const e = node as ErrorLike;
    for (const response of e.response?.responses ?? []) {
      partitionsKnown = true;
      for (const partition of response.partitionResponses ?? []) {
        if (partition.errorCode !== 0) partitions.add(`${response.name}:${partition.index}`);
      }
    }
    if (Array.isArray(e.errors)) {
      e.errors.forEach(walk);
      return;
    }
    const name = typeof e.apiId === "string" ? e.apiId : "";
    if (e.code === "PLT_KFK_PROTOCOL" && (RECORD_ERRORS.has(name) || TOPIC_ERRORS.has(name))) names.add(name);
    else transient = true;
  };
  walk(error);
  if (transient || names.size === 0) return null;
  const kind = [...names].some((name) => TOPIC_ERRORS.has(name)) ? "topic" : "record";
  return { kind, partitions: partitionsKnown ? partitions : null, reason: [...names].sort().join(", ") };
}

/**
 * Whether `error` (a failed produce attempt) says the client's metadata is out of date: a partition's leader moved
 * (`NOT_LEADER_OR_FOLLOWER`, `LEADER_NOT_AVAILABLE`, `FENCED_LEADER_EPOCH`) or the partition is unknown to the broker
 * asked. The library marks these errors `hasStaleMetadata`.
 */
export function staleMetadata(error: unknown): boolean {
  if (error === null || error === undefined || typeof error !== "object") return false;
  const e = error as { hasStaleMetadata?: unknown; errors?: unknown[]; cause?: unknown };
  if (e.hasStaleMetadata === true) return true;
  return (Array.isArray(e.errors) && e.errors.some(staleMetadata)) || staleMetadata(e.cause);
}
