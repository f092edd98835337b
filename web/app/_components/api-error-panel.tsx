export function ApiErrorPanel({ message }: { message: string }) {
  return (
    <section className="panel panel-error" role="alert" data-testid="api-error">
      <h2>The dashboard cannot load data from the lab</h2>
      <p className="error-message">{message}</p>
      <p className="muted">This page retries every 2 seconds.</p>
    </section>
  );
}
