import { ValidationError } from 'class-validator';

/** One readable sentence from class-validator's error tree, naming each bad field. */
export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): string {
  const parts: string[] = [];
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    for (const text of Object.values(error.constraints ?? {})) {
      parts.push(text.startsWith(error.property) ? `${path}${text.slice(error.property.length)}` : `${path}: ${text}`);
    }
    if (error.children?.length) parts.push(flattenValidationErrors(error.children, path));
  }
  return parts.filter(Boolean).join('; ');
}
