// Thin hook over datanetQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { datanetQueryOptions } from "../queries/datanet-query.ts";

export function useDatanet(id: string) {
  return useQuery(datanetQueryOptions(useAppConfig(), id));
}
