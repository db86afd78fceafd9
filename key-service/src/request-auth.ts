// Authentication of signed key requests: single-use nonces, then the EIP-4361 message's domain,
// chain and time, then the signature, verified through the chain (viem's verifyMessage: EOAs,
// ERC-1271 contract wallets and ERC-6492 undeployed ones). Every failure is a 401 naming which.
import { randomBytes } from "node:crypto";
import type { Address, Hex, PublicClient } from "viem";
import { KeyRequestError, parseKeyRequestMessage, type KeyRequest } from "@modelfactory/sdk";
import { ApiError } from "./errors.ts";

const unauthenticated = (code: string, message: string) => new ApiError(401, code, message);

export type Authenticated = { requester: Address; request: KeyRequest; message: string };

export class RequestAuth {
  /** nonce → when it lapses; used nonces stay until then so a replay is named as one. */
  private readonly nonces = new Map<string, { expiresAt: number; used: boolean }>();
  private readonly domain: string;
  private readonly uri: string;
  private readonly chainId: number;
  private readonly client: PublicClient;
  private readonly ttlMs: number;

  constructor(options: { publicUrl: string; chainId: number; client: PublicClient; nonceTtlMs: number }) {
    const u = new URL(options.publicUrl);
    this.domain = u.host;
    this.uri = u.origin;
    this.chainId = options.chainId;
    this.client = options.client;
    this.ttlMs = options.nonceTtlMs;
  }

  nonce(): { nonce: string; expiresAt: number } {
    const now = Date.now();
    for (const [n, v] of this.nonces) if (v.expiresAt < now) this.nonces.delete(n);
    const nonce = randomBytes(16).toString("hex");
    const expiresAt = now + this.ttlMs;
    this.nonces.set(nonce, { expiresAt, used: false });
    return { nonce, expiresAt };
  }

  /** Checks a signed request body; consumes its nonce whatever the outcome after the nonce check. */
  async verify(body: unknown): Promise<Authenticated> {
    const { message, signature } = (body ?? {}) as { message?: unknown; signature?: unknown };
    if (typeof message !== "string")
      throw new ApiError(400, "BAD_REQUEST", 'Send {"message": <signed key request>, "signature": <0x hex>}.');
    if (signature === undefined || signature === null || signature === "")
      throw unauthenticated("SIGNATURE_MISSING", "The request is not signed: send the wallet's signature of the message.");
    if (typeof signature !== "string" || !/^0x([0-9a-fA-F]{2})+$/.test(signature))
      throw unauthenticated("SIGNATURE_INVALID", "The signature is not 0x-prefixed hex bytes.");
    let parsed: ReturnType<typeof parseKeyRequestMessage>;
    try {
      parsed = parseKeyRequestMessage(message);
    } catch (error) {
      throw new ApiError(
        400,
        "BAD_REQUEST",
        error instanceof KeyRequestError ? error.shortMessage : "The message is not a key request (EIP-4361).",
      );
    }
    const { fields, request } = parsed;
    const nonce = this.nonces.get(fields.nonce ?? "");
    if (!nonce || nonce.expiresAt < Date.now())
      throw unauthenticated("NONCE_UNKNOWN", "Unknown or expired nonce: ask POST /v1/nonce for a new one.");
    if (nonce.used) throw unauthenticated("NONCE_USED", "This nonce was already used: every request needs a fresh one (POST /v1/nonce).");
    nonce.used = true;
    if (fields.domain !== this.domain)
      throw unauthenticated("WRONG_DOMAIN", `The message is for ${fields.domain}, not this key service (${this.domain}).`);
    if (fields.uri !== this.uri)
      throw unauthenticated("WRONG_DOMAIN", `The message names URI ${fields.uri}, not this key service (${this.uri}).`);
    if (fields.chainId !== this.chainId)
      throw unauthenticated("WRONG_CHAIN", `The message is for chain ${fields.chainId}, not chain ${this.chainId}.`);
    const now = Date.now();
    if (!fields.expirationTime) throw unauthenticated("MESSAGE_NO_EXPIRY", "The message has no expiration time.");
    if (fields.expirationTime.getTime() <= now)
      throw unauthenticated("MESSAGE_EXPIRED", `The message expired at ${fields.expirationTime.toISOString()}.`);
    if (fields.notBefore && fields.notBefore.getTime() > now)
      throw unauthenticated("MESSAGE_NOT_YET_VALID", `The message is valid from ${fields.notBefore.toISOString()}.`);
    if (!fields.address) throw new ApiError(400, "BAD_REQUEST", "The message names no address.");
    const valid = await this.client.verifyMessage({ address: fields.address, message, signature: signature as Hex }).catch(() => false);
    if (!valid) throw unauthenticated("SIGNATURE_INVALID", `The signature is not ${fields.address}'s signature of this message.`);
    return { requester: fields.address, request, message };
  }
}
