/**
 * IEEE 802.11 link types: the bare MAC frame (LINKTYPE_IEEE802_11, 105) and the radio headers captured before it,
 * radiotap (127), Prism (119) and AVS (163); PPI (192) is in src/decode/link.ts since it names any link type. A data
 * frame's payload starts with LLC/SNAP (IEEE 802.2, RFC 1042) whose EtherType says what follows.
 *
 * @module
 */
import { DecodeError } from "../decode_error.ts";
import { afterEtherType, LinkLayer, NET_NOT_IP, truncated } from "./link_layer.ts";

const WLAN_HEADER_LEN = 24; // frame control, duration, 3 addresses, sequence control
const WLAN_ADDR4_LEN = 6; // present when both To DS and From DS are set
const WLAN_QOS_LEN = 2; // QoS data subtypes (subtype bit 3)
const WLAN_HT_CONTROL_LEN = 4; // QoS frame with the Order bit (+HTC)
const WLAN_TYPE_DATA = 2;
const WLAN_SUBTYPE_QOS = 0x08;
const WLAN_SUBTYPE_NO_DATA = 0x04; // Null, CF-Ack, CF-Poll without data
const WLAN_FLAG_TO_DS = 0x01;
const WLAN_FLAG_FROM_DS = 0x02;
const WLAN_FLAG_PROTECTED = 0x40; // encrypted body: nothing to read
const WLAN_FLAG_ORDER = 0x80;
const WLAN_QOS_AMSDU = 0x80; // QoS control bit 7: the body is an A-MSDU
const LLC_SNAP_LEN = 8; // DSAP 0xaa, SSAP 0xaa, control 0x03, OUI, EtherType

/** Radiotap (radiotap.org): version 0, pad, little-endian length of the whole header. */
const RADIOTAP_MIN_LEN = 8;
/** AVS capture header (wlan-ng): big-endian version 0x8021100x, then its big-endian length. */
const AVS_MAGIC_MASK = 0xfffffff0;
const AVS_MAGIC = 0x80211000;
const PRISM_MIN_LEN = 8;

function littleU16(data: Uint8Array, at: number): number {
  return data[at] | (data[at + 1] << 8);
}

function bigU32(data: Uint8Array, at: number): number {
  return ((data[at] << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3]) >>> 0;
}

function littleU32(data: Uint8Array, at: number): number {
  return (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
}

function notIp(out: LinkLayer, at: number): void {
  out.netType = NET_NOT_IP;
  out.netOffset = at;
  out.etherType = 0;
}

/**
 * An 802.11 MAC frame at `data[offset, end)` (`start` is where the whole frame began, for error messages). Data
 * frames with a body (QoS or not) go on to LLC/SNAP; management, control, null and protected frames are not IP.
 * A trailing FCS is left for the IP length fields to cut off.
 */
export function decodeWlanAt(data: Uint8Array, start: number, offset: number, end: number, out: LinkLayer): void {
  if (offset + WLAN_HEADER_LEN > end) throw truncated(start, end, offset - start + WLAN_HEADER_LEN, "802.11");
  const control = data[offset];
  const flags = data[offset + 1];
  const type = (control >> 2) & 0x03;
  const subtype = control >> 4;
  if (type !== WLAN_TYPE_DATA || (subtype & WLAN_SUBTYPE_NO_DATA) !== 0 || (flags & WLAN_FLAG_PROTECTED) !== 0) {
    notIp(out, offset);
    return;
  }
  let at = offset + WLAN_HEADER_LEN;
  const bothDs = WLAN_FLAG_TO_DS | WLAN_FLAG_FROM_DS;
  if ((flags & bothDs) === bothDs) at += WLAN_ADDR4_LEN;
  if ((subtype & WLAN_SUBTYPE_QOS) !== 0) {
    if (at + WLAN_QOS_LEN > end) throw truncated(start, end, at - start + WLAN_QOS_LEN, "802.11 QoS");
    const amsdu = (data[at] & WLAN_QOS_AMSDU) !== 0;
    at += WLAN_QOS_LEN;
    if ((flags & WLAN_FLAG_ORDER) !== 0) at += WLAN_HT_CONTROL_LEN;
    if (amsdu) {
      notIp(out, at);
      return;
    }
  }
  decodeLlcSnap(data, start, at, end, out);
}

/** LLC/SNAP (RFC 1042): `aa aa 03`, a 3-byte OUI, the EtherType. Other LLC payloads are not IP. */
export function decodeLlcSnap(data: Uint8Array, start: number, at: number, end: number, out: LinkLayer): void {
  if (at + 3 > end) throw truncated(start, end, at - start + 3, "LLC");
  if (data[at] !== 0xaa || data[at + 1] !== 0xaa || data[at + 2] !== 0x03) {
    notIp(out, at);
    return;
  }
  if (at + LLC_SNAP_LEN > end) throw truncated(start, end, at - start + LLC_SNAP_LEN, "LLC/SNAP");
  afterEtherType(data, start, end, at + LLC_SNAP_LEN, (data[at + 6] << 8) | data[at + 7], out);
}

/** LINKTYPE_IEEE802_11 (105). */
export function decodeWlan(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  decodeWlanAt(data, start, start, end, out);
}

/** LINKTYPE_IEEE802_11_RADIOTAP (127): skip the radiotap header by its own length. */
export function decodeRadiotap(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < RADIOTAP_MIN_LEN) throw truncated(start, end, RADIOTAP_MIN_LEN, "radiotap");
  const length = littleU16(data, start + 2);
  if (data[start] !== 0 || length < RADIOTAP_MIN_LEN) {
    throw new DecodeError(
      "link.bad_header",
      start,
      `Cannot decode radiotap header: version ${data[start]}, length ${length}`,
    );
  }
  if (start + length > end) throw truncated(start, end, length, "radiotap");
  decodeWlanAt(data, start, start + length, end, out);
}

/** LINKTYPE_IEEE802_11_AVS (163): a big-endian header of its own length. */
export function decodeAvs(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < 8) throw truncated(start, end, 8, "AVS");
  const length = bigU32(data, start + 4);
  if (((bigU32(data, start) & AVS_MAGIC_MASK) >>> 0) !== AVS_MAGIC || length < 8) {
    throw new DecodeError("link.bad_header", start, `Cannot decode AVS header: version or length ${length}`);
  }
  if (length > end - start) throw truncated(start, end, length, "AVS");
  decodeWlanAt(data, start, start + length, end, out);
}

/**
 * LINKTYPE_IEEE802_11_PRISM (119): the Prism header (message code and length in the capturing host's byte order,
 * so either is accepted), or an AVS header, which drivers also write under this link type.
 */
export function decodePrism(data: Uint8Array, start: number, end: number, out: LinkLayer): void {
  if (end - start < PRISM_MIN_LEN) throw truncated(start, end, PRISM_MIN_LEN, "Prism");
  if (((bigU32(data, start) & AVS_MAGIC_MASK) >>> 0) === AVS_MAGIC) {
    decodeAvs(data, start, end, out);
    return;
  }
  const little = littleU32(data, start + 4);
  const length = little >= PRISM_MIN_LEN && little <= end - start ? little : bigU32(data, start + 4);
  if (length < PRISM_MIN_LEN || length > end - start) {
    throw new DecodeError("link.bad_header", start, `Cannot decode Prism header: length ${little}`);
  }
  decodeWlanAt(data, start, start + length, end, out);
}
