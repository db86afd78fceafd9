// The write layer's actions against the generated ABIs: each builds a call the ABI encodes
// (viem's encodeFunctionData, the bytes a wallet would sign), and refuses bad input with an
// error naming the value. The inline reason form: required, bounded, confirm and cancel.
import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen } from "@testing-library/react";
import { encodeFunctionData, decodeFunctionData, type Abi } from "viem";
import { abis } from "../src/lib/contracts.ts";
import type { ProtocolWrite } from "../src/data/writes/protocol-write.ts";
import { REASON_MAX_LENGTH, WriteInputError } from "../src/data/writes/write-inputs.ts";
import { acceptContributions } from "../src/data/actions/accept-contributions.ts";
import { addApprover } from "../src/data/actions/add-approver.ts";
import { cancelTrainingJob } from "../src/data/actions/cancel-training-job.ts";
import { createDatanet } from "../src/data/actions/create-datanet.ts";
import { createTrainingJob } from "../src/data/actions/create-training-job.ts";
import { denyAccessRequest } from "../src/data/actions/deny-access-request.ts";
import { registerContribution } from "../src/data/actions/register-contribution.ts";
import { rejectContributions } from "../src/data/actions/reject-contributions.ts";
import { requestAccess } from "../src/data/actions/request-access.ts";
import { revokeAccess } from "../src/data/actions/revoke-access.ts";
import { setEncryptionKey } from "../src/data/actions/set-encryption-key.ts";
import { withdrawContribution } from "../src/data/actions/withdraw-contribution.ts";
import { ReasonForm } from "../src/ui/ReasonForm.tsx";

const ADDRESS = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const HASH = `0x${"ab".repeat(32)}`;

function encodes(write: ProtocolWrite) {
  const abi: Abi = abis[write.contract];
  const call: { abi: Abi; functionName: string; args: readonly unknown[] } = { abi, functionName: write.functionName, args: write.args };
  const data = encodeFunctionData(call);
  const back = decodeFunctionData({ abi, data });
  expect(back.functionName).toBe(write.functionName);
  return back.args;
}

describe("write actions", () => {
  it("build calls the generated ABIs encode, with the toast's label", () => {
    const cases = [
      [denyAccessRequest({ datanetId: "3", requestId: "9", reason: "  Out of scope.  " }), "Deny request #9", [3n, 9n, "Out of scope."]],
      [acceptContributions({ contributionIds: ["12", "2", "7"] }), "Accept 3 contribution(s)", [[2n, 7n, 12n]]],
      [rejectContributions({ contributionIds: ["5"], reason: "Duplicates." }), "Reject 1 contribution(s)", [[5n], "Duplicates."]],
      [withdrawContribution({ contributionId: "4" }), "Withdraw contribution #4", [4n]],
      [
        createDatanet({ metadataURI: "ipfs://m", license: " MIT ", accessPolicy: "Permissioned", contributionPolicy: "Curated" }),
        "Create Datanet",
        ["ipfs://m", "MIT", 1, 1],
      ],
      [
        createTrainingJob({ datanetIds: ["1", "2"], specURI: "ipfs://s", specHash: HASH }),
        "Create training job",
        [[1n, 2n], "ipfs://s", HASH],
      ],
      [cancelTrainingJob({ jobId: "8" }), "Cancel job #8", [8n]],
      [addApprover({ datanetId: "1", approver: ` ${ADDRESS} ` }), "Add approver", [1n, ADDRESS]],
      [revokeAccess({ datanetId: "1", grantee: ADDRESS }), `Revoke access of ${ADDRESS.slice(0, 8)}…`, [1n, ADDRESS]],
      [requestAccess({ datanetId: "2", scopes: 3, purposeURI: "ipfs://p" }), "Request access to Datanet #2", [2n, 3, "ipfs://p"]],
      [
        registerContribution({ datanetId: "1", contentHash: HASH, contentId: "bafy", metadataURI: "ipfs://meta" }),
        "Register contribution to Datanet #1",
        [1n, HASH, "bafy", "ipfs://meta"],
      ],
      [
        setEncryptionKey({ datanetId: "1", publicKey: HASH, keyServiceUrl: "http://127.0.0.1:8790", rotate: true }),
        "Rotate encryption key",
        [1n, HASH, "http://127.0.0.1:8790"],
      ],
    ] as const;
    for (const [built, label, args] of cases) {
      expect(built.label).toBe(label);
      expect(encodes(built.write)).toEqual(args);
    }
  });

  it("refuse bad input before anything is simulated, naming the value", () => {
    expect(() => denyAccessRequest({ datanetId: "1", requestId: "x9", reason: "r" })).toThrow(
      /Request id "x9" is not valid; use a positive whole number/,
    );
    expect(() => withdrawContribution({ contributionId: "0" })).toThrow(WriteInputError);
    expect(() => addApprover({ datanetId: "1", approver: "0x123" })).toThrow(/Approver address "0x123" is not valid; paste a 0x address/);
    expect(() => denyAccessRequest({ datanetId: "1", requestId: "2", reason: "   " })).toThrow(/Give a reason/);
    expect(() => rejectContributions({ contributionIds: ["1"], reason: "x".repeat(REASON_MAX_LENGTH + 1) })).toThrow(
      new RegExp(`Keep the reason to ${REASON_MAX_LENGTH} characters \\(it has ${REASON_MAX_LENGTH + 1}\\)`),
    );
    expect(() => acceptContributions({ contributionIds: [] })).toThrow(/Choose at least one contribution/);
    expect(() => acceptContributions({ contributionIds: Array.from({ length: 101 }, (_, i) => String(i + 1)) })).toThrow(
      /101 contributions selected; the contract takes at most 100/,
    );
    expect(() => createTrainingJob({ datanetIds: ["1"], specURI: "ipfs://s", specHash: "0xabc" })).toThrow(
      /Spec hash "0xabc" is not valid/,
    );
    expect(() => requestAccess({ datanetId: "1", scopes: 0, purposeURI: "ipfs://p" })).toThrow(/Scopes 0 are not valid/);
  });
});

describe("inline reason form", () => {
  it("requires a bounded reason, confirms the trimmed text, and cancels", () => {
    const onConfirm = vi.fn();
    const onCancel = vi.fn();
    render(
      <ReasonForm
        label="Reason for denying (shown to the builder)"
        confirmLabel="Deny request #3"
        onConfirm={onConfirm}
        onCancel={onCancel}
      />,
    );
    const field = screen.getByLabelText("Reason for denying (shown to the builder)");
    expect(field.getAttribute("maxlength")).toBe(String(REASON_MAX_LENGTH));
    fireEvent.click(screen.getByRole("button", { name: "Deny request #3" }));
    expect(screen.getByRole("alert").textContent).toBe("Give a reason; the other side reads it.");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(onConfirm).not.toHaveBeenCalled();
    fireEvent.change(field, { target: { value: "  Purpose is out of scope.  " } });
    expect(screen.queryByRole("alert")).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Deny request #3" }));
    expect(onConfirm).toHaveBeenCalledWith("Purpose is out of scope.");
    fireEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onCancel).toHaveBeenCalledOnce();
  });

  it("refuses a reason over the bound even when the field's maxlength is bypassed", () => {
    const onConfirm = vi.fn();
    render(
      <ReasonForm
        label="Reason"
        confirmLabel="Reject"
        initial={"y".repeat(REASON_MAX_LENGTH + 5)}
        onConfirm={onConfirm}
        onCancel={() => {}}
      />,
    );
    fireEvent.click(screen.getByRole("button", { name: "Reject" }));
    expect(screen.getByRole("alert").textContent).toMatch(/Keep the reason to 280 characters/);
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
