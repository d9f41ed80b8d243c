/** RR type codes the decoders and renderers test for by value, each with the RFC that assigns it. */

export const TYPE_A = 1; // RFC 1035 §3.2.2
export const TYPE_NS = 2; // RFC 1035 §3.2.2
export const TYPE_CNAME = 5; // RFC 1035 §3.2.2
export const TYPE_SOA = 6; // RFC 1035 §3.2.2
export const TYPE_PTR = 12; // RFC 1035 §3.2.2
export const TYPE_MX = 15; // RFC 1035 §3.2.2
export const TYPE_AAAA = 28; // RFC 3596 §2.1
export const TYPE_OPT = 41; // RFC 6891 §6.1.1
