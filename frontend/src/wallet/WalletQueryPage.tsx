// The shell of a page about the connected account (inbox, my access, my contributions):
// header, "connect your wallet" gate, then the account's query with its loading, error and
// empty states around the page's own content.
import type { ReactNode } from "react";
import type { Address } from "viem";
import { useAccount } from "wagmi";
import { PageHeader } from "../ui/bits.tsx";
import { QueryView, type QueryLike } from "../ui/states.tsx";
import { WalletGate } from "./WalletGate.tsx";

export type WalletQueryPageProps<T> = {
  title: string;
  subtitle: string;
  /** Completes "Connect a wallet …", e.g. "to see your inbox". */
  reason: string;
  /** A data hook taking the connected account (a module-level hook, so hooks' order holds). */
  useData: (account: Address) => QueryLike<T>;
  /** The empty state for data with nothing to show, or null to show the content. */
  empty?: (data: T) => ReactNode | null;
  /** Shown behind the gate above the account's data (e.g. a form). */
  before?: ReactNode;
  children: (data: T, account: Address) => ReactNode;
};

export function WalletQueryPage<T>({ title, subtitle, reason, before, ...body }: WalletQueryPageProps<T>) {
  const { address } = useAccount();
  return (
    <>
      <PageHeader title={title} subtitle={subtitle} />
      <WalletGate reason={reason}>
        {before}
        {address ? <AccountData account={address} {...body} /> : null}
      </WalletGate>
    </>
  );
}

function AccountData<T>({
  account,
  useData,
  empty,
  children,
}: Pick<WalletQueryPageProps<T>, "useData" | "empty" | "children"> & { account: Address }) {
  const query = useData(account);
  return (
    <QueryView query={query} {...(empty ? { empty } : {})}>
      {(data) => children(data, account)}
    </QueryView>
  );
}
