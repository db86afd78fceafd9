// The trainer node's version, as its health route and its on-chain metadata state it.
export const VERSION = "0.1.0";
