// Entry of the DatanetRegistry data source: one contract, three areas, one file each.
export * from "./datanets";
export * from "./contributions";
export * from "./access";
