// An approver grants access: by transaction, or by signing an EIP-712 grant that the builder
// (or anyone) redeems. The signed grant is shown as shareable text and a link.
import { useState } from "react";
import { useAccount, useSignTypedData } from "wagmi";
import { accessGrantTypedData, encodeSignedAccessGrant } from "@modelfactory/sdk";
import { useAppConfig } from "../../config/context.tsx";
import { errorSentence } from "../../lib/error-sentence.ts";
import { Field } from "../../ui/bits.tsx";
import { useCancelGrantSignature } from "../../data/hooks/useCancelGrantSignature.ts";
import { useGrantAccess } from "../../data/hooks/useGrantAccess.ts";
import { ScopePicker } from "../datanets/RequestAccessForm.tsx";
import { grantFromForm, grantLink, validateGrantForm, type GrantFormValues } from "./grant-form.ts";

export function GrantForm({
  initial,
  datanetIds,
  onDone,
}: {
  initial: Partial<GrantFormValues>;
  datanetIds: string[];
  onDone?: () => void;
}) {
  const config = useAppConfig();
  const { address } = useAccount();
  const grantAccess = useGrantAccess();
  const cancelSignature = useCancelGrantSignature();
  const { signTypedDataAsync } = useSignTypedData();
  const [v, setV] = useState<GrantFormValues>({
    datanetId: datanetIds[0] ?? "",
    grantee: "",
    scopes: 7,
    expiryDays: 90,
    deadlineDays: 7,
    ...initial,
  });
  const [tried, setTried] = useState(false);
  const [signed, setSigned] = useState<string | null>(null);
  const [signedNonce, setSignedNonce] = useState<bigint | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errors = tried ? validateGrantForm(v) : {};
  const ok = () => {
    setTried(true);
    return Object.keys(validateGrantForm(v)).length === 0;
  };
  const sign = async () => {
    if (!ok() || !address) return;
    setError(null);
    try {
      const grant = grantFromForm(v);
      const signature = await signTypedDataAsync(accessGrantTypedData(config.chainId, config.contracts.DatanetRegistry.address, grant));
      setSigned(encodeSignedAccessGrant({ grant, approver: address, signature }));
      setSignedNonce(grant.nonce);
      setCancelled(false);
    } catch (e) {
      setError(errorSentence(e));
    }
  };
  const grantByTx = async () => {
    if (!ok()) return;
    await grantAccess.mutateAsync({ grant: grantFromForm(v) }).then(
      () => onDone?.(),
      () => {},
    );
  };
  return (
    <div className="panel" data-testid="grant-form">
      <div className="cols-2">
        <Field id="g-datanet" label="Datanet" error={errors.datanetId}>
          <select id="g-datanet" value={v.datanetId} onChange={(e) => setV({ ...v, datanetId: e.target.value })}>
            {datanetIds.map((id) => (
              <option key={id} value={id}>
                #{id}
              </option>
            ))}
          </select>
        </Field>
        <Field id="g-grantee" label="Builder (grantee)" error={errors.grantee}>
          <input id="g-grantee" value={v.grantee} onChange={(e) => setV({ ...v, grantee: e.target.value.trim() })} placeholder="0x…" />
        </Field>
      </div>
      <ScopePicker value={v.scopes} onChange={(scopes) => setV({ ...v, scopes })} />
      {errors.scopes ? <div className="field-error">{errors.scopes}</div> : null}
      <div className="cols-2">
        <Field id="g-expiry" label="Access expires after (days)" error={errors.expiryDays}>
          <input
            id="g-expiry"
            type="number"
            min={1}
            value={v.expiryDays}
            onChange={(e) => setV({ ...v, expiryDays: Number(e.target.value) })}
          />
        </Field>
        <Field
          id="g-deadline"
          label="Signed grant must be redeemed within (days)"
          error={errors.deadlineDays}
          hint="Only for signed grants."
        >
          <input
            id="g-deadline"
            type="number"
            min={1}
            value={v.deadlineDays}
            onChange={(e) => setV({ ...v, deadlineDays: Number(e.target.value) })}
          />
        </Field>
      </div>
      <div className="row">
        <button className="btn btn-primary" onClick={() => void sign()}>
          Sign grant (EIP-712, no gas)
        </button>
        <button className="btn" onClick={() => void grantByTx()}>
          Grant by transaction
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
      {signed ? (
        <div data-testid="signed-grant">
          <h3>Signed grant — send this to the builder</h3>
          <label htmlFor="signed-grant-text" className="sr-only">
            Signed grant
          </label>
          <textarea id="signed-grant-text" className="grant" readOnly value={signed} />
          <div className="row">
            <button className="btn btn-small" onClick={() => void navigator.clipboard?.writeText(signed)}>
              Copy text
            </button>
            <button className="btn btn-small" onClick={() => void navigator.clipboard?.writeText(grantLink(location.origin, signed))}>
              Copy redeem link
            </button>
            <a className="btn btn-small" href={grantLink("", signed)}>
              Open redeem link
            </a>
            {signedNonce !== null && !cancelled ? (
              <button
                className="btn btn-small btn-danger"
                title="Burns this signature's nonce on chain, so nobody can redeem it any more."
                disabled={cancelSignature.isPending}
                onClick={() =>
                  void cancelSignature.mutateAsync({ nonce: signedNonce }).then(
                    () => setCancelled(true),
                    () => {},
                  )
                }
              >
                Cancel this signed grant
              </button>
            ) : null}
          </div>
          {cancelled ? (
            <p className="hint" role="status">
              Cancelled on chain: this signed grant can no longer be redeemed.
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
