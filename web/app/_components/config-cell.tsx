import { summarizeVaryingConfig } from '../../lib/config-summary.ts';

/**
 * A row's config in a table cell: the keys that vary across the rows on screen in full and
 * emphasised, then what else fits; the whole config on hover.
 */
export function ConfigCell({ config, varying }: { config: unknown; varying: readonly string[] }) {
  const { varied, rest, more } = summarizeVaryingConfig(config, varying);
  return (
    <span
      className="config-summary"
      title={JSON.stringify(config, null, 1)}
      data-testid="config-cell"
    >
      {varied !== '' && <span className="config-varied">{varied}</span>}
      {rest !== '' && <span className="config-rest"> {rest}</span>}
      {more > 0 && <span className="config-rest"> +{more}</span>}
    </span>
  );
}
