/** Test helper: small DNS messages and lookups as the pairing engine hands them to a writer. */
import { Lookup } from "../correlate/lookup.ts";
import { MessageReader } from "../dns/_reader.ts";
import { scanQuestion, WireQuestion } from "../dns/wire_scan.ts";

const wireName = (first: string) => [first.length, ...new TextEncoder().encode(first), 3, 0x63, 0x6f, 0x6d, 0];
const NAME = wireName("ExAmple");
/** The same name as a server that folds case would echo it. */
const LOWER_NAME = wireName("example");

/** A DNS message: header, one question (A, IN) and, for a response, `answers` A records pointing at the name. */
export function message(flags: number, answers: number, qdcount = 1, name = NAME): Uint8Array {
  const bytes = [0x12, 0x34, flags >> 8, flags & 255, 0, qdcount, 0, answers, 0, 0, 0, 0];
  if (qdcount > 0) bytes.push(...name, 0, 1, 0, 1);
  for (let i = 0; i < answers; i++) bytes.push(0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, i + 1);
  // A range of a larger buffer, as the engine hands it.
  const frame = new Uint8Array(bytes.length + 9);
  frame.set(bytes, 5);
  return frame;
}

/** The message in `bytes` (as `message` frames it), scanned as the engine scans it. */
export function leg(bytes: Uint8Array): { reader: MessageReader; question: WireQuestion } {
  const reader = new MessageReader();
  reader.resetRange(bytes, 5, bytes.length - 4);
  const question = new WireQuestion();
  scanQuestion(reader, question);
  return { reader, question };
}

/**
 * An answered lookup: `current` when the response is the message being handled; `wholeQuery` when the query's whole
 * message is held (the transaction format), else only its question (the default format). `names`: the two first
 * questions are the same bytes and the engine said so (`questionsIdentical`), or it did not check, or the response
 * echoes the name in another case.
 */
export function lookup(
  tcp: boolean,
  queryHasQuestion: boolean,
  current: boolean,
  answers: number,
  wholeQuery = false,
  names: "identical" | "unchecked" | "case differs" = "unchecked",
): Lookup {
  const l = new Lookup();
  const query = leg(message(0x0100, 0, queryHasQuestion ? 1 : 0));
  if (wholeQuery) l.query.reader = query.reader;
  const response = leg(message(0x8180, answers, 1, names === "case differs" ? LOWER_NAME : NAME));
  l.questionsIdentical = names === "identical" && queryHasQuestion;
  l.transport = tcp ? "tcp" : "udp";
  l.client.set([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7]);
  l.server.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 53]);
  l.clientPort = 40123;
  l.serverPort = 53;
  l.query.present = true;
  l.query.question = query.question;
  l.query.tsSec = 1_700_000_000;
  l.query.tsNsec = 123_456_789;
  l.response.present = true;
  l.response.current = current;
  l.response.reader = response.reader;
  l.response.question = response.question;
  l.response.tsSec = 1_700_000_001;
  l.response.tsNsec = 987;
  l.response.wireLen = 321;
  return l;
}
