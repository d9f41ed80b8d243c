/**
 * The one typed error for input that cannot be decoded. `code` is a stable, dotted identifier
 * (`"dns.pointer_forward"`, `"ipv4.bad_header_length"`) used as the counter name; `offset` is the
 * byte offset within the unit being decoded (frame or DNS message) where decoding stopped.
 */
export class DecodeError extends Error {
  constructor(readonly code: string, readonly offset: number, message: string) {
    super(message);
    this.name = "DecodeError";
  }
}
