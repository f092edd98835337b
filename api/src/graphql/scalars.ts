import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { jsonInputProblem } from './json-input.ts';

function checked(value: unknown, node?: ValueNode): unknown {
  const problem = jsonInputProblem(value);
  if (problem) throw new GraphQLError(`JSON input: ${problem}`, node ? { nodes: node } : {});
  return value;
}

/** A JSON value written in the query text; NaN, Infinity and other bare words are refused. */
function literalValue(
  node: ValueNode,
  variables: Record<string, unknown> | null | undefined,
): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((item) => literalValue(item, variables));
    case Kind.OBJECT:
      return Object.fromEntries(
        node.fields.map((field) => [field.name.value, literalValue(field.value, variables)]),
      );
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    case Kind.ENUM:
      throw new GraphQLError(
        `JSON input: ${node.value} is not a JSON value; write a finite number, or quote it as a ` +
          'string',
        { nodes: node },
      );
  }
}

/**
 * JSON values, as graphql-scalars' JSON (same name and description), except that input is
 * checked: no prototype keys, no deeper than MAX_JSON_DEPTH, text PostgreSQL can store, and no
 * bare words such as NaN, which would otherwise vanish from the config without a word.
 */
export const JSONScalar = new GraphQLScalarType({
  name: GraphQLJSON.name,
  description: GraphQLJSON.description,
  specifiedByURL: GraphQLJSON.specifiedByURL,
  extensions: GraphQLJSON.extensions,
  serialize: (value) => value,
  parseValue: (value) => checked(value),
  parseLiteral: (node, variables) => checked(literalValue(node, variables), node),
});
