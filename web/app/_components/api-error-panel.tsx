interface ApiErrorPanelProps {
  message: string;
  /** False when the API refused the request itself, so the page does not poll. */
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
        {retrying ? 'This page retries every 2 seconds.' : 'Check the address of this page.'}
      </p>
    </section>
  );
}
