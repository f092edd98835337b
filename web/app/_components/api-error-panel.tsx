import { LiveRefresh } from './live-refresh.tsx';

interface ApiErrorPanelProps {
  message: string;
  /** Reload the page every 2 s until the error clears; false when the request itself is wrong. */
  retrying?: boolean;
}

export function ApiErrorPanel({ message, retrying = true }: ApiErrorPanelProps) {
  return (
    <section className="panel panel-error" role="alert" data-testid="api-error">
      <h2>
        {retrying ? 'The dashboard cannot load data from the lab' : 'The lab refused this request'}
      </h2>
      <p className="error-message">{message}</p>
      <p className="muted">
        {retrying
          ? 'This page retries every 2 seconds.'
          : 'Asking again will not help: check the address of this page, or, when access is ' +
            "refused, the dashboard's API key (FACTORLAB_API_KEY)."}
      </p>
      <LiveRefresh active={retrying} />
    </section>
  );
}
