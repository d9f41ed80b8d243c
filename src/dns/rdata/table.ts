/**
 * RDATA dispatch: a table indexed by RR type, with a total fallback (RFC 3597 `\# len HEX`).
 *
 * @module
 */

import { renderA, renderAaaa, renderEui48, renderEui64, renderWks } from "./addresses.ts";
import {
  renderBase64,
  renderCert,
  renderDnskey,
  renderDs,
  renderRrsig,
  renderSshfp,
  renderTlsa,
  renderZonemd,
} from "./dnssec.ts";
import { renderLoc, renderTkey, renderTsig } from "./misc.ts";
import { renderName, renderPrefName, renderPx, renderSoa, renderSrv, renderTwoNames } from "./names.ts";
import { renderCsync, renderNsec, renderNsec3, renderNsec3param } from "./nsec.ts";
import type { RdataRenderer } from "./_renderer.ts";
import { renderSvcb } from "./svcb.ts";
import { renderCaa, renderHinfo, renderNaptr, renderTxt, renderUri } from "./text.ts";

/** Types with a renderer; every other type (NULL, OPT, APL, IPSECKEY, HIP, unknown…) prints as RFC 3597. */
const RENDERER_ROWS: ReadonlyArray<readonly [number, RdataRenderer]> = [
  [1, renderA],
  [2, renderName], // NS
  [3, renderName], // MD
  [4, renderName], // MF
  [5, renderName], // CNAME
  [6, renderSoa],
  [7, renderName], // MB
  [8, renderName], // MG
  [9, renderName], // MR
  [11, renderWks],
  [12, renderName], // PTR
  [13, renderHinfo],
  [14, renderTwoNames], // MINFO
  [15, renderPrefName], // MX
  [16, renderTxt],
  [17, renderTwoNames], // RP
  [18, renderPrefName], // AFSDB
  [21, renderPrefName], // RT
  [24, renderRrsig], // SIG
  [25, renderDnskey], // KEY
  [26, renderPx],
  [28, renderAaaa],
  [29, renderLoc],
  [33, renderSrv],
  [35, renderNaptr],
  [36, renderPrefName], // KX
  [37, renderCert],
  [39, renderName], // DNAME
  [43, renderDs],
  [44, renderSshfp],
  [46, renderRrsig],
  [47, renderNsec],
  [48, renderDnskey],
  [49, renderBase64], // DHCID
  [50, renderNsec3],
  [51, renderNsec3param],
  [52, renderTlsa],
  [53, renderTlsa], // SMIMEA
  [59, renderDs], // CDS
  [60, renderDnskey], // CDNSKEY
  [61, renderBase64], // OPENPGPKEY
  [62, renderCsync],
  [63, renderZonemd],
  [64, renderSvcb],
  [65, renderSvcb], // HTTPS
  [99, renderTxt], // SPF
  [108, renderEui48],
  [109, renderEui64],
  [249, renderTkey],
  [250, renderTsig],
  [256, renderUri],
  [257, renderCaa],
  [32768, renderDs], // TA
  [32769, renderDs], // DLV
];

const LOW_LIMIT = 300;
const LOW: (RdataRenderer | null)[] = new Array<RdataRenderer | null>(LOW_LIMIT + 1).fill(null);
const HIGH = new Map<number, RdataRenderer>();
for (const [type, render] of RENDERER_ROWS) {
  if (type <= LOW_LIMIT) LOW[type] = render;
  else HIGH.set(type, render);
}

/** The renderer for `type`, or `null` when the type prints in the RFC 3597 generic form. */
export function rdataRenderer(type: number): RdataRenderer | null {
  return type <= LOW_LIMIT ? LOW[type] : HIGH.get(type) ?? null;
}
