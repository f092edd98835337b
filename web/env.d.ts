// The environment the dashboard reads at request time (never inlined at build time).
declare namespace NodeJS {
  interface ProcessEnv {
    /** Base URL of the FactorLab API; the dashboard queries `${FACTORLAB_API_URL}/graphql`. */
    FACTORLAB_API_URL?: string;
    /** The API key the dashboard's server sends when the API has auth on (a viewer key). */
    FACTORLAB_API_KEY?: string;
  }
}
