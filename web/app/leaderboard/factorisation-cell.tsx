import { factorisationParts, type Factorisation } from '../../lib/factorisation.ts';
import styles from './factorisation.module.css';

/**
 * A configuration's factorisation in one compact cell (N, k, split, router, gating, PA, KD), or
 * `dense`; a dash where its job's config says nothing of one.
 */
export function FactorisationCell({ factorisation }: { factorisation: Factorisation | null }) {
  if (factorisation === null) return <span className="muted">—</span>;
  return (
    <span
      className={styles.cell}
      title={factorisation.label}
      data-testid="factorisation-cell"
      data-factorisation={factorisation.label}
    >
      {factorisationParts(factorisation).map(({ name, value, title }) => (
        <span
          key={name}
          className={`${styles.part} ${value === 'off' ? styles.off : ''}`}
          title={`${title}: ${value}`}
          data-part={name}
        >
          {name === 'dense' || name === 'split' || name === 'router' || name === 'gating' ? (
            value
          ) : (
            <>
              <span className={styles.name}>{name}</span>
              {value === 'on' ? '✓' : value === 'off' ? '✗' : value}
            </>
          )}
        </span>
      ))}
    </span>
  );
}
