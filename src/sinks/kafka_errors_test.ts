import assert from "node:assert/strict";
import { MultipleErrors, NetworkError, ProtocolError, ResponseError } from "@platformatic/kafka";
import { permanentFailure, staleMetadata } from "./kafka_errors.ts";

/** A produce response (API 0, v11) whose partitions carry these error codes, as the library throws it. */
function produceError(codes: Record<number, number>): ResponseError {
  const partitionResponses = Object.entries(codes).map(([index, errorCode]) => ({ index: Number(index), errorCode }));
  const errors: Record<string, [number, null]> = {};
  for (const { index, errorCode } of partitionResponses) {
    if (errorCode !== 0) errors[`/responses/0/partition_responses/${index}`] = [errorCode, null];
  }
  return new ResponseError(0, 11, errors, { responses: [{ name: "dns", partitionResponses }] });
}

Deno.test("permanentFailure(): a record too large names the rejected partitions only", () => {
  const failure = permanentFailure(new MultipleErrors("Producing messages failed.", [produceError({ 0: 0, 1: 10 })]));
  assert.deepEqual(failure, { kind: "record", partitions: new Set(["dns:1"]), reason: "MESSAGE_TOO_LARGE" });
});

Deno.test("permanentFailure(): a topic authorization failure gives up the topic's records", () => {
  const failure = permanentFailure(produceError({ 0: 29, 1: 29 }));
  assert.equal(failure?.kind, "topic");
  assert.deepEqual(failure?.partitions, new Set(["dns:0", "dns:1"]));
  assert.equal(permanentFailure(new ProtocolError("TOPIC_AUTHORIZATION_FAILED"))?.partitions, null, "no response");
});

Deno.test("permanentFailure(): anything that may pass is not permanent, even beside a permanent error", () => {
  assert.equal(permanentFailure(new NetworkError("Connection closed")), null);
  assert.equal(permanentFailure(produceError({ 0: 6 })), null, "NOT_LEADER_OR_FOLLOWER");
  assert.equal(permanentFailure(produceError({ 0: 3 })), null, "UNKNOWN_TOPIC_OR_PARTITION: may yet be created");
  const mixed = new MultipleErrors("Producing messages failed.", [produceError({ 0: 10 }), new NetworkError("x")]);
  assert.equal(permanentFailure(mixed), null);
  assert.equal(permanentFailure(new Error("plain")), null);
  assert.equal(permanentFailure(undefined), null);
});

Deno.test("staleMetadata() finds a leader change anywhere in the library's nested errors", () => {
  const notLeader = new ProtocolError("NOT_LEADER_OR_FOLLOWER");
  const network = new NetworkError("Connection to 127.0.0.1:9092 failed.");
  const attempts = new MultipleErrors("produce failed 2 times.", [network, notLeader]);
  assert.equal(staleMetadata(new MultipleErrors("Producing messages failed.", [attempts])), true);
  assert.equal(staleMetadata(new MultipleErrors("produce failed 2 times.", [network, network])), false);
  assert.equal(staleMetadata(new ProtocolError("MESSAGE_TOO_LARGE")), false);
  assert.equal(staleMetadata(new Error("Producing messages failed.", { cause: notLeader })), true);
  assert.equal(staleMetadata(undefined), false);
});
