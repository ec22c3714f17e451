/** An error the user should read, announced to screen readers; nothing when there is none. */
export function Problem({ text, testId }: { readonly text: string | undefined; readonly testId?: string }) {
  if (!text) return null;
  return (
    <p class="problem" role="alert" data-testid={testId}>
      {text}
    </p>
  );
}
