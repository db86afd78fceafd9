// The Kubo backend (kubo-rpc-client, unchanged) against the local content API, plus the API's
// HTTP contract: Kubo's wire format, CORS, loopback-only Host, size limit, method and route
// errors. Two small fake nodes stand in for a misbehaving remote Kubo.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import {
  computeCid,
  ContentIntegrityError,
  ContentNotFoundError,
  ContentStoreError,
  ContentTooLargeError,
  createKuboContentStore,
  readContent,
  type KuboContentStore,
} from "../../src/content/index.ts";
import { createEmbeddedContentStore, createNodeKuboContentStore, type EmbeddedContentStore } from "../../src/content/node.ts";
import { startContentApi, type ContentApi } from "../../src/content-api/index.ts";
import { InvalidInputError } from "../../src/errors.ts";
import { deterministicBytes } from "./data.ts";
import { DERIVED_VECTORS, KUBO_VECTORS } from "./vectors.ts";

const LIMIT = 3 * 1024 * 1024;

describe("Kubo backend against the local content API", () => {
  let directory: string;
  let store: EmbeddedContentStore;
  let api: ContentApi;
  let kubo: KuboContentStore;
  /** Both upload paths: kubo-rpc-client's own `add`, and the Node entry's streamed one. */
  let uploaders: Array<[string, KuboContentStore]>;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "mf-api-"));
    store = await createEmbeddedContentStore({ directory });
    api = await startContentApi({ store, port: 0, maxRequestBytes: LIMIT });
    kubo = createKuboContentStore({ url: api.url });
    uploaders = [
      ["kubo-rpc-client add", kubo],
      ["streamed add", createNodeKuboContentStore({ url: api.url })],
    ];
  });
  after(async () => {
    await api.close();
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("round-trips content with the same CIDs as the embedded store and Kubo", async () => {
    for (const [, kubo] of uploaders)
      for (const { size, cid } of DERIVED_VECTORS.slice(0, 4)) {
        const data = deterministicBytes(size);
        const put = await kubo.put(data);
        assert.equal(put.toString(), cid);
        assert.equal((await store.put(data)).toString(), cid);
        assert.deepEqual(await readContent(kubo, put), data);
        assert.equal(await kubo.has(put), true);
        await kubo.pin(put);
        assert.equal(await store.isPinned(put), true);
      }
  });

  it("streams an upload from an async iterable and a WHATWG stream", async () => {
    for (const [, kubo] of uploaders) {
      const data = deterministicBytes(700_001, 9);
      const expected = (await computeCid(data)).toString();
      const fromIterable = await kubo.put(
        (async function* () {
          for (let i = 0; i < data.length; i += 65_536) yield data.subarray(i, i + 65_536);
        })(),
      );
      assert.equal(fromIterable.toString(), expected);
      assert.equal((await kubo.put(new Blob([data as Uint8Array<ArrayBuffer>]).stream())).toString(), expected);
    }
  });

  it("fails fast with ContentNotFoundError for a missing CID", async () => {
    const missing = await computeCid(new TextEncoder().encode("nobody added this"));
    const started = performance.now();
    await assert.rejects(
      readContent(kubo, missing),
      (error) => error instanceof ContentNotFoundError && error.meta.cid === missing.toString(),
    );
    await assert.rejects(kubo.pin(missing), ContentNotFoundError);
    assert.equal(await kubo.has(missing), false);
    assert.ok(performance.now() - started < 2000);
  });

  it("refuses an upload over the size limit with 413 and a typed error", async () => {
    for (const [name, kubo] of uploaders) {
      await assert.rejects(kubo.put(new Uint8Array(LIMIT + 1)), (error) => {
        assert.ok(error instanceof ContentTooLargeError, name);
        assert.match(error.shortMessage, /larger than the 3145728-byte limit/);
        return true;
      });
      // The API still works afterwards.
      assert.equal((await kubo.put(new TextEncoder().encode("hello world"))).toString(), KUBO_VECTORS[1].cid);
    }
    const response = await fetch(`${api.url}/api/v0/add`, {
      method: "POST",
      headers: { "Content-Type": "multipart/form-data; boundary=x", "Content-Length": String(LIMIT + 10) },
      body: new Uint8Array(LIMIT + 10),
    });
    assert.equal(response.status, 413);
    assert.deepEqual(await response.json(), {
      Message: "request body is larger than the 3145728-byte limit of this content API",
      Code: 1,
      Type: "error",
    });
  });

  it("answers add in Kubo's ndjson shape and honours Kubo's CID flags", async () => {
    const add = async (query: string, content: string) => {
      const form = new FormData();
      form.append("file", new Blob([content]), "greeting.txt");
      const response = await fetch(`${api.url}/api/v0/add?${query}`, { method: "POST", body: form });
      return { status: response.status, body: await response.text() };
    };
    assert.deepEqual(await add("", "hello world"), {
      status: 200,
      body: '{"Name":"greeting.txt","Hash":"bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e","Size":"11"}\n',
    });
    const v0 = await add("cid-version=0", "hello world\n");
    assert.equal(JSON.parse(v0.body).Hash, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o");
    const refused = await add("trickle=true", "x");
    assert.equal(refused.status, 400);
    assert.match(JSON.parse(refused.body).Message, /trickle layout is not supported/);
    assert.equal((await add("chunker=rabin", "x")).status, 400);
  });

  it("serves version, and rejects other methods and commands like Kubo", async () => {
    const version = await kubo.client.version();
    assert.equal(version.version, "0.1.0-modelfactory");
    assert.equal((await fetch(`${api.url}/api/v0/version`)).status, 405);
    const unknown = await fetch(`${api.url}/api/v0/block/rm`, { method: "POST" });
    assert.equal(unknown.status, 404);
    assert.match((await unknown.json()).Message, /not served here/);
    const noArg = await fetch(`${api.url}/api/v0/cat`, { method: "POST" });
    assert.equal(noArg.status, 400);
  });

  it("allows CORS from local frontend origins only", async () => {
    const preflight = await fetch(`${api.url}/api/v0/add`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost:5173",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "http://localhost:5173");
    assert.match(preflight.headers.get("access-control-allow-methods") ?? "", /POST/);
    const allowed = await fetch(`${api.url}/api/v0/version`, { method: "POST", headers: { Origin: "http://127.0.0.1:3000" } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get("access-control-allow-origin"), "http://127.0.0.1:3000");
    const foreign = await fetch(`${api.url}/api/v0/version`, { method: "POST", headers: { Origin: "https://evil.example" } });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get("access-control-allow-origin"), null);
  });

  it("refuses requests naming a non-loopback Host (DNS rebinding)", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${api.url}/api/v0/version`, { method: "POST", headers: { Host: "attacker.example:5001" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(status, 403);
  });

  it("binds to loopback only", async () => {
    await assert.rejects(startContentApi({ store, host: "0.0.0.0", port: 0 }), InvalidInputError);
  });

  it("starts from the command line", async () => {
    const cli = fileURLToPath(new URL("../../src/content-api/cli.ts", import.meta.url));
    const child = spawn(process.execPath, [cli, "--dir", path.join(directory, "cli"), "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        child.stdout.once("data", (data: Buffer) => resolve(data.toString()));
        child.once("exit", (code) => reject(new Error(`cli exited with ${code}`)));
      });
      const url = /listening on (http:\/\/\S+)/.exec(line)?.[1];
      assert.ok(url, line);
      const cliStore = createKuboContentStore({ url });
      const cid = await cliStore.put(new TextEncoder().encode("hello world"));
      assert.equal(cid.toString(), KUBO_VECTORS[1].cid);
    } finally {
      child.kill("SIGTERM");
    }
  });
});

describe("Kubo backend against a misbehaving node", () => {
  let server: Server;
  let url: string;
  const served = new TextEncoder().encode("not what you asked for");
  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.url?.startsWith("/api/v0/add")) {
          res.writeHead(200, { "Content-Type": "application/json" });
          res.end(`${JSON.stringify({ Name: "x", Hash: KUBO_VECTORS[0].cid, Size: "0" })}\n`);
        } else {
          res.writeHead(200, { "Content-Type": "text/plain" });
          res.end(served);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("detects served bytes that do not match the CID (raw and dag-pb)", async () => {
    const kubo = createKuboContentStore({ url });
    await assert.rejects(readContent(kubo, KUBO_VECTORS[1].cid), ContentIntegrityError);
    await assert.rejects(readContent(kubo, DERIVED_VECTORS[3]!.cid), (error) => {
      assert.ok(error instanceof ContentIntegrityError);
      assert.match(error.shortMessage, /do not match that CID/);
      return true;
    });
  });

  it("detects a node that reports a CID other than the bytes'", async () => {
    const kubo = createKuboContentStore({ url });
    await assert.rejects(kubo.put(new TextEncoder().encode("hello world")), (error) => {
      assert.ok(error instanceof ContentIntegrityError);
      assert.equal(error.meta.expected, KUBO_VECTORS[1].cid);
      return true;
    });
  });

  it("reports an unreachable node as CONTENT_STORE_UNAVAILABLE", async () => {
    const kubo = createKuboContentStore({ url: "http://127.0.0.1:9" });
    await assert.rejects(
      readContent(kubo, KUBO_VECTORS[1].cid),
      (error) => error instanceof ContentStoreError && error.code === "CONTENT_STORE_UNAVAILABLE",
    );
  });
});
