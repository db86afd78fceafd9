// Thin hook over datanetKeyQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { datanetKeyQueryOptions } from "../queries/datanet-key-query.ts";

export function useDatanetKey(datanetId: string) {
  return useQuery(datanetKeyQueryOptions(useAppConfig(), datanetId));
}
