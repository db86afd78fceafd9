// The entity model of a subgraph schema (schema.graphql in The Graph's dialect): entity types,
// their fields and id types, @derivedFrom relations and enums. The store and the GraphQL
// server are both generated from it. Features the runner does not implement fail here, by name.
import { Kind, parse, type DirectiveNode, type FieldDefinitionNode, type ObjectTypeDefinitionNode, type TypeNode } from "graphql";
import { RunnerError } from "../errors.ts";

export const SCALARS = ["ID", "String", "Bytes", "Int", "Int8", "BigInt", "BigDecimal", "Boolean", "Timestamp"] as const;
export type ScalarName = (typeof SCALARS)[number];

export type FieldType = { kind: "scalar"; name: ScalarName } | { kind: "enum"; name: string } | { kind: "entity"; name: string };

export type FieldModel = {
  name: string;
  type: FieldType;
  list: boolean;
  nonNull: boolean;
  /** Field of the related entity this one is derived from; derived fields are not stored. */
  derivedFrom?: string;
  description?: string;
};

export type IdType = "String" | "Bytes" | "Int8";

export type EntityModel = {
  name: string;
  immutable: boolean;
  idType: IdType;
  fields: FieldModel[];
  fieldsByName: Map<string, FieldModel>;
  /** Fields that have a column: every field but derived ones. */
  stored: FieldModel[];
  description?: string;
};

export type SchemaModel = {
  entities: Map<string, EntityModel>;
  enums: Map<string, string[]>;
};

const UNSUPPORTED_DIRECTIVES: Record<string, string> = {
  fulltext: "fulltext search (@fulltext)",
  aggregation: "aggregations (@aggregation)",
  aggregate: "aggregations (@aggregate)",
};

function unwrap(type: TypeNode): { name: string; list: boolean; nonNull: boolean } {
  let nonNull = false;
  let t = type;
  if (t.kind === Kind.NON_NULL_TYPE) {
    nonNull = true;
    t = t.type;
  }
  if (t.kind === Kind.LIST_TYPE) {
    let inner = t.type;
    if (inner.kind === Kind.NON_NULL_TYPE) inner = inner.type;
    if (inner.kind !== Kind.NAMED_TYPE) throw new RunnerError("Nested lists are not supported in the schema.");
    return { name: inner.name.value, list: true, nonNull };
  }
  if (t.kind !== Kind.NAMED_TYPE) throw new RunnerError("Unexpected type in the schema.");
  return { name: t.name.value, list: false, nonNull };
}

function directive(node: { directives?: readonly DirectiveNode[] | undefined }, name: string): DirectiveNode | undefined {
  return node.directives?.find((d) => d.name.value === name);
}

function argument(d: DirectiveNode, name: string): string | boolean | undefined {
  const arg = d.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  if (arg.value.kind === Kind.STRING || arg.value.kind === Kind.ENUM) return arg.value.value;
  if (arg.value.kind === Kind.BOOLEAN) return arg.value.value;
  return undefined;
}

/** Parses schema.graphql; throws a RunnerError naming any construct the runner lacks. */
export function parseSchemaModel(source: string): SchemaModel {
  const doc = parse(source);
  const enums = new Map<string, string[]>();
  const objects: ObjectTypeDefinitionNode[] = [];
  for (const def of doc.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION) {
      enums.set(
        def.name.value,
        (def.values ?? []).map((v) => v.name.value),
      );
    } else if (def.kind === Kind.OBJECT_TYPE_DEFINITION) {
      objects.push(def);
    } else if (def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      throw new RunnerError(`Schema interface ${def.name.value}: interfaces are not supported by the local runner.`);
    } else if (def.kind === Kind.UNION_TYPE_DEFINITION) {
      throw new RunnerError(`Schema union ${def.name.value}: unions are not supported by the local runner.`);
    } else if (def.kind !== Kind.SCALAR_TYPE_DEFINITION && def.kind !== Kind.DIRECTIVE_DEFINITION) {
      throw new RunnerError(`Schema definition of kind ${def.kind} is not supported by the local runner.`);
    }
  }
  const entityNames = new Set(objects.map((o) => o.name.value));
  const entities = new Map<string, EntityModel>();
  for (const obj of objects) {
    const name = obj.name.value;
    for (const [d, what] of Object.entries(UNSUPPORTED_DIRECTIVES)) {
      if (directive(obj, d)) throw new RunnerError(`Entity ${name}: ${what} is not supported by the local runner.`);
    }
    const entity = directive(obj, "entity");
    if (!entity) throw new RunnerError(`Type ${name} has no @entity directive.`);
    if (argument(entity, "timeseries") === true) {
      throw new RunnerError(`Entity ${name}: timeseries entities are not supported by the local runner.`);
    }
    const fields = (obj.fields ?? []).map((f) => fieldModel(name, f, enums, entityNames));
    const id = fields.find((f) => f.name === "id");
    if (!id || id.list || !id.nonNull || id.type.kind !== "scalar") {
      throw new RunnerError(`Entity ${name} needs a non-null scalar \`id\` field.`);
    }
    const idScalar = id.type.name;
    const idType: IdType = idScalar === "Bytes" ? "Bytes" : idScalar === "Int8" ? "Int8" : "String";
    if (!["ID", "String", "Bytes", "Int8"].includes(idScalar)) {
      throw new RunnerError(`Entity ${name}: id of type ${idScalar} is not allowed (ID, String, Bytes or Int8).`);
    }
    entities.set(name, {
      name,
      immutable: argument(entity, "immutable") === true,
      idType,
      fields,
      fieldsByName: new Map(fields.map((f) => [f.name, f])),
      stored: fields.filter((f) => !f.derivedFrom),
      ...(obj.description ? { description: obj.description.value } : {}),
    });
  }
  for (const entity of entities.values()) {
    for (const field of entity.fields) {
      if (!field.derivedFrom || field.type.kind !== "entity") continue;
      const target = entities.get(field.type.name)!;
      const source = target.fieldsByName.get(field.derivedFrom);
      if (!source || source.type.kind !== "entity" || source.type.name !== entity.name) {
        throw new RunnerError(
          `${entity.name}.${field.name} is derived from ${target.name}.${field.derivedFrom}, which is not a reference to ${entity.name}.`,
        );
      }
    }
  }
  return { entities, enums };
}

function fieldModel(entity: string, f: FieldDefinitionNode, enums: Map<string, string[]>, entityNames: Set<string>): FieldModel {
  const { name: typeName, list, nonNull } = unwrap(f.type);
  let type: FieldType;
  if ((SCALARS as readonly string[]).includes(typeName)) type = { kind: "scalar", name: typeName as ScalarName };
  else if (enums.has(typeName)) type = { kind: "enum", name: typeName };
  else if (entityNames.has(typeName)) type = { kind: "entity", name: typeName };
  else throw new RunnerError(`${entity}.${f.name.value} has unknown type ${typeName}.`);
  const derived = directive(f, "derivedFrom");
  const derivedFrom = derived ? argument(derived, "field") : undefined;
  if (derived && (typeof derivedFrom !== "string" || type.kind !== "entity")) {
    throw new RunnerError(`${entity}.${f.name.value}: @derivedFrom needs a field and an entity type.`);
  }
  return {
    name: f.name.value,
    type,
    list,
    nonNull,
    ...(typeof derivedFrom === "string" ? { derivedFrom } : {}),
    ...(f.description ? { description: f.description.value } : {}),
  };
}

/** Plural query field of an entity type, as graph-node names it (`Datanet` → `datanets`). */
export function pluralName(typeName: string): string {
  const singular = singularName(typeName);
  let plural: string;
  if (/[^aeiou]y$/.test(singular)) plural = singular.slice(0, -1) + "ies";
  else if (/(s|x|z|ch|sh)$/.test(singular)) plural = singular + "es";
  else plural = singular + "s";
  return plural === singular ? `${singular}_collection` : plural;
}

/** Singular query field of an entity type (`AccessGrant` → `accessGrant`). */
export function singularName(typeName: string): string {
  return typeName[0]!.toLowerCase() + typeName.slice(1);
}
