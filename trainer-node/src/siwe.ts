// Sign-In with Ethereum (EIP-4361) for the node's API: single-use nonces, message checks
// (domain, chain, nonce, time), signature verification through the chain (so contract
// wallets work too), and short-lived bearer sessions.
import { randomBytes } from "node:crypto";
import type { Address, Hex, PublicClient } from "viem";
import { parseSiweMessage, validateSiweMessage } from "viem/siwe";
import type { AuthSession } from "@modelfactory/sdk";
import { ApiError } from "./errors.ts";

const NONCE_TTL_MS = 10 * 60_000;
const SESSION_TTL_MS = 12 * 60 * 60_000;

export class SiweAuth {
  private readonly nonces = new Map<string, number>();
  private readonly sessions = new Map<string, { address: Address; expiresAt: number }>();
  private readonly domain: string;
  private readonly chainId: number;
  private readonly client: PublicClient;

  constructor(options: { domain: string; chainId: number; client: PublicClient }) {
    this.domain = options.domain;
    this.chainId = options.chainId;
    this.client = options.client;
  }

  nonce(): string {
    const now = Date.now();
    for (const [n, exp] of this.nonces) if (exp < now) this.nonces.delete(n);
    const nonce = randomBytes(16).toString("hex");
    this.nonces.set(nonce, now + NONCE_TTL_MS);
    return nonce;
  }

  /** Checks a signed SIWE message and opens a session, or throws a 401 ApiError saying why. */
  async verify(message: unknown, signature: unknown): Promise<AuthSession> {
    if (typeof message !== "string" || message.length > 4096 || typeof signature !== "string" || !/^0x[0-9a-fA-F]+$/.test(signature)) {
      throw new ApiError(400, "BAD_REQUEST", 'Send {"message": <SIWE message>, "signature": <0x hex>}.');
    }
    const fields = parseSiweMessage(message);
    const nonce = fields.nonce ?? "";
    const expiry = this.nonces.get(nonce);
    if (expiry === undefined || expiry < Date.now())
      throw new ApiError(401, "UNAUTHENTICATED", "Unknown, used or expired sign-in nonce: request a new one.");
    if (fields.domain !== this.domain)
      throw new ApiError(401, "UNAUTHENTICATED", `The sign-in message is for ${fields.domain}, not ${this.domain}.`);
    if (fields.chainId !== this.chainId)
      throw new ApiError(401, "UNAUTHENTICATED", `The sign-in message is for chain ${fields.chainId}, not ${this.chainId}.`);
    if (!fields.address || !validateSiweMessage({ message: fields, domain: this.domain, nonce })) {
      throw new ApiError(401, "UNAUTHENTICATED", "The sign-in message is malformed, not yet valid or expired.");
    }
    const valid = await this.client
      .verifySiweMessage({ message, signature: signature as Hex, domain: this.domain, nonce })
      .catch(() => false);
    if (!valid) throw new ApiError(401, "UNAUTHENTICATED", "The signature does not match the sign-in message's address.");
    this.nonces.delete(nonce);
    const token = randomBytes(32).toString("hex");
    const expiresAt = Math.min(Date.now() + SESSION_TTL_MS, fields.expirationTime ? fields.expirationTime.getTime() : Infinity);
    this.sessions.set(token, { address: fields.address, expiresAt });
    return { token, address: fields.address, expiresAt };
  }

  /** The address behind an `Authorization: Bearer` header, or a 401. */
  authenticate(header: string | undefined): Address {
    const token = header?.startsWith("Bearer ") ? header.slice(7).trim() : undefined;
    const session = token ? this.sessions.get(token) : undefined;
    if (!session)
      throw new ApiError(401, "UNAUTHENTICATED", "Sign in with Ethereum first (POST /auth/verify) and send the token as a Bearer header.");
    if (session.expiresAt < Date.now()) {
      this.sessions.delete(token!);
      throw new ApiError(401, "UNAUTHENTICATED", "The session expired: sign in again.");
    }
    return session.address;
  }
}
