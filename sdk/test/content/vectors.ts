// CID vectors shared by the content tests and the benchmark.

import { CONTENT_LAYOUT, KUBO_DEFAULT_V0_LAYOUT } from "../../src/content/index.ts";

const text = (s: string) => new TextEncoder().encode(s);

/** Outputs of `ipfs add` that are published in Kubo's docs, tests and countless tutorials. */
export const KUBO_VECTORS = [
  // `ipfs add --cid-version=1` (raw leaves implied): a single raw block.
  {
    name: "empty file, --cid-version=1",
    data: text(""),
    layout: CONTENT_LAYOUT,
    cid: "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
  },
  {
    name: "'hello world', --cid-version=1",
    data: text("hello world"),
    layout: CONTENT_LAYOUT,
    cid: "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e",
  },
  {
    name: "'hello world\\n', --cid-version=1",
    data: text("hello world\n"),
    layout: CONTENT_LAYOUT,
    cid: "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",
  },
  // `ipfs add` with Kubo's defaults (CIDv0, UnixFS leaves).
  {
    name: "empty file, defaults (v0)",
    data: text(""),
    layout: KUBO_DEFAULT_V0_LAYOUT,
    cid: "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
  },
  {
    name: "'hello world', defaults (v0)",
    data: text("hello world"),
    layout: KUBO_DEFAULT_V0_LAYOUT,
    cid: "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD",
  },
  {
    name: "'hello world\\n' (echo hello world | ipfs add)",
    data: text("hello world\n"),
    layout: KUBO_DEFAULT_V0_LAYOUT,
    cid: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o",
  },
] as const;

/** Deterministic data (xorshift32, seed 1) across the chunk and link boundaries. */
export const DERIVED_VECTORS: ReadonlyArray<{ size: number; cid: string }> = [
  { size: 11, cid: "bafkreia4tgtm2dfpzv7hvd6i2nr2l6rko533zwc5hxpcikim6765wpt4iu" },
  { size: 262_144, cid: "bafkreibpxkmjkyanft2hcu4h27xxvsemr5h5bflchaompfhfegle3y6vxe" },
  { size: 262_145, cid: "bafybeidmca3kptazummaydzvlzfzb5uyxdjc5j4fxbgfl3gbdmiwh4cyu4" },
  { size: 1_048_577, cid: "bafybeidju4r557c6e7dyxkypngsw2dpanldio6mhz5cqresxmuaxelgfje" },
  { size: 174 * 262_144, cid: "bafybeicajrsjv6meyrbfwrrw73gkwiqb2ojb7hdsswn5236bfysbg5ao34" },
  { size: 174 * 262_144 + 1, cid: "bafybeiez7mi2zlfbtywzkki2wy3islb55u3mqs4yd6tcgkvgvcnf74ipbq" },
];
